import pytest
from django.core.files.storage import default_storage
from django.db import DataError, transaction
from PIL import Image as PILImage

from content.tests.factories import ImageSectionFactory
from media_library import services
from media_library.models import Image
from media_library.tests.factories import ImageFactory, upload
from testing.images import encoded, jpeg_with_exif, photo

pytestmark = pytest.mark.django_db


def files_of(image: Image) -> list[str]:
    return [image.path.name, image.watermarked_path, *image.image_metadata["renditions"].values()]


def test_upload_stores_original_and_webp_renditions_under_a_generated_dated_name():
    (image,) = services.upload_images([upload(encoded(photo(1700, 300), "PNG"), "My photo.png")], alt_text="A photo")
    assert image.filename == image.path.name
    assert image.filename.startswith("images/") and image.filename.endswith(".png")
    assert "My photo" not in image.filename
    renditions = image.image_metadata["renditions"]
    assert sorted(renditions, key=int) == ["480", "960", "1600"]
    for width, name in renditions.items():
        with default_storage.open(name) as handle, PILImage.open(handle) as rendition:
            assert (rendition.format, rendition.width) == ("WEBP", int(width))
    assert image.watermarked is False and image.watermarked_path is None
    assert Image.objects.get().alt_text == "A photo"


def test_small_image_gets_a_rendition_at_its_own_width_never_upscaled():
    (image,) = services.upload_images([upload(encoded(photo(640, 400), "JPEG"))])
    assert sorted(image.image_metadata["renditions"], key=int) == ["480", "640"]


def test_a_failed_transaction_leaves_no_orphan_file(settings):
    with pytest.raises(DataError):
        services.upload_images([upload(encoded(photo(64, 48), "PNG"))], alt_text="x" * 600)
    assert Image.objects.count() == 0
    assert not [path for path in settings.MEDIA_ROOT.rglob("*") if path.is_file()]


def test_delete_nulls_sections_names_lost_posts_and_removes_files_only_after_commit(
    watermark, django_capture_on_commit_callbacks
):
    (image,) = services.upload_images([upload(jpeg_with_exif(1200, 800))])
    section = ImageSectionFactory(image=image, post__title="Harbour walk")
    names = files_of(image)
    assert all(default_storage.exists(name) for name in names)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        lost = services.delete_images(Image.objects.filter(pk=image.pk))
    assert lost == {image: ["Harbour walk"]}
    assert all(default_storage.exists(name) for name in names)  # not yet committed
    for callback in callbacks:
        callback()
    assert not any(default_storage.exists(name) for name in names)
    section.refresh_from_db()
    assert section.image_id is None


def test_a_rolled_back_delete_keeps_row_and_files(django_capture_on_commit_callbacks):
    image = ImageFactory()
    capture = django_capture_on_commit_callbacks(execute=True)
    with capture as callbacks, pytest.raises(RuntimeError), transaction.atomic():
        services.delete_images([image])
        raise RuntimeError("the editor's request failed later")
    assert callbacks == []
    assert Image.objects.filter(pk=image.pk).exists()
    assert default_storage.exists(image.path.name)
