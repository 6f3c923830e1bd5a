import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from PIL import Image as PILImage

from media_library import services
from media_library.derivatives import DerivativeSpec, derive
from media_library.models import Image
from media_library.renditions import best_url, srcset
from media_library.tests.factories import ImageFactory, upload
from testing.images import encoded, photo

pytestmark = pytest.mark.django_db


def pixels(name: str, box: tuple[int, int, int, int]) -> list:
    with default_storage.open(name) as handle, PILImage.open(handle) as image:
        return list(image.convert("RGB").crop(box).get_flattened_data())


def test_watermark_is_written_beside_the_original_which_is_never_altered(watermark):
    original = encoded(photo(1000, 600), "PNG")
    (image,) = services.upload_images([upload(original, "scene.png")])
    assert image.watermarked is True
    assert image.watermarked_path.startswith(image.path.name.rsplit(".", 1)[0] + "-wm-")
    with default_storage.open(image.path.name) as handle:
        assert handle.read() == original
    # The red logo sits in the bottom-right corner of the copy, not of the original.
    with default_storage.open(image.watermarked_path) as handle, PILImage.open(handle) as marked:
        assert marked.size == (1000, 600)
        corner = marked.convert("RGB").crop((700, 0, 1000, 600))
    assert (255, 0, 0) in set(corner.get_flattened_data())
    assert (255, 0, 0) not in set(pixels(image.path.name, (700, 0, 1000, 600)))
    # Renditions are made from the watermarked copy.
    assert any(
        r > 200 and g < 60 and b < 60
        for r, g, b in pixels(image.image_metadata["renditions"]["960"], (670, 0, 960, 576))
    )


def test_changed_watermark_settings_regenerate_and_old_files_go_after_commit(
    watermark, settings, django_capture_on_commit_callbacks
):
    (image,) = services.upload_images([upload(encoded(photo(800, 600), "JPEG"))])
    old_files = [image.watermarked_path, *image.image_metadata["renditions"].values()]
    old_fingerprint = image.image_metadata["derivatives_fingerprint"]

    settings.WATERMARK_POSITION = "top-left"
    with django_capture_on_commit_callbacks(execute=True):
        call_command("watermark_images", "--missing", "--workers", "1", verbosity=0)
    image.refresh_from_db()
    assert image.image_metadata["derivatives_fingerprint"] != old_fingerprint
    assert image.watermarked_path not in old_files
    assert default_storage.exists(image.watermarked_path)
    assert not any(default_storage.exists(name) for name in old_files)

    # Nothing is missing any more: a second run does nothing.
    before = dict(image.image_metadata)
    call_command("watermark_images", "--missing", "--workers", "1", verbosity=0)
    image.refresh_from_db()
    assert image.image_metadata == before


def test_logo_content_is_part_of_the_fingerprint(watermark):
    before = DerivativeSpec.from_settings().fingerprint()
    PILImage.new("RGBA", (40, 20), (0, 0, 255, 255)).save(watermark)
    assert DerivativeSpec.from_settings().fingerprint() != before


def test_watermark_command_without_configured_watermark_says_so(settings):
    with pytest.raises(CommandError, match="WATERMARK_TEXT"):
        call_command("watermark_images", "--all", verbosity=0)


def test_watermark_command_refuses_unknown_ids(watermark):
    with pytest.raises(CommandError, match="No image with id 999"):
        call_command("watermark_images", "--ids", "999", verbosity=0)


def test_generate_renditions_for_demo_rows_without_renditions(django_capture_on_commit_callbacks):
    """Worker processes are exercised by the S3 test; here the command runs in this process."""
    content = encoded(photo(700, 500), "PNG")
    images = [
        ImageFactory(path=ContentFile(content, name="demo.png"), image_metadata={"format": "PNG"}) for _ in range(3)
    ]
    assert srcset(images[0]) == ""
    assert best_url(images[0]) == images[0].path.url
    with django_capture_on_commit_callbacks(execute=True):
        call_command("generate_renditions", "--workers", "1", verbosity=0)
    for image in Image.objects.all():
        assert sorted(image.image_metadata["renditions"]) == ["480", "700"]
        assert image.watermarked is False
    image = Image.objects.get(pk=images[0].pk)
    assert srcset(image) == ", ".join(
        f"{default_storage.url(image.image_metadata['renditions'][w])} {w}w" for w in ("480", "700")
    )
    assert best_url(image).endswith("-700w.webp")
    assert best_url(image, 400).endswith("-480w.webp")


def test_rerun_after_an_interrupted_run_rewrites_the_same_names(
    watermark, settings, django_capture_on_commit_callbacks
):
    (image,) = services.upload_images([upload(encoded(photo(700, 500), "JPEG"))])
    settings.WATERMARK_OPACITY = 0.8
    # A worker finished its files, then the run was interrupted before the database was updated.
    derive(image.pk, image.path.name, DerivativeSpec.from_settings())
    with django_capture_on_commit_callbacks(execute=True):
        call_command("watermark_images", "--workers", "1", verbosity=0)
    image.refresh_from_db()
    expected = {image.path.name, image.watermarked_path, *image.image_metadata["renditions"].values()}
    stored = {path.relative_to(settings.MEDIA_ROOT).as_posix() for path in settings.MEDIA_ROOT.rglob("*.*")}
    assert stored == expected  # no "_abc123" copies beside them, no files of the old settings


def test_animation_is_kept_as_uploaded_without_still_copies(watermark):
    from media_library.tests.bad_input import gif_with_frames

    (image,) = services.upload_images([upload(gif_with_frames(12), "spinner.gif")])
    assert image.image_metadata["frames"] == 12
    assert image.image_metadata["renditions"] == {}
    assert image.watermarked is False
    assert best_url(image) == image.path.url


def test_a_broken_original_is_reported_and_the_others_still_done(settings):
    broken = ImageFactory(path=ContentFile(b"no longer an image", name="broken.png"), image_metadata={})
    fine = ImageFactory(path=ContentFile(encoded(photo(600, 400), "PNG"), name="fine.png"), image_metadata={})
    with pytest.raises(CommandError, match="1 image"):
        call_command("generate_renditions", "--workers", "1", verbosity=0)
    broken.refresh_from_db()
    fine.refresh_from_db()
    assert broken.image_metadata == {}
    assert sorted(fine.image_metadata["renditions"]) == ["480", "600"]
    stored = {path.name for path in settings.MEDIA_ROOT.rglob("*.*")}
    assert not [name for name in stored if name.startswith("broken") and name != broken.path.name.rsplit("/", 1)[-1]]
