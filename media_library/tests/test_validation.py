import io

import pytest
from django.core.files.storage import default_storage
from PIL import ExifTags
from PIL import Image as PILImage

from media_library import services
from media_library.models import Image
from media_library.tests.bad_input import bad_uploads, png_bomb
from media_library.tests.factories import upload
from media_library.validation import ImageRejected, validate_upload
from testing.images import encoded, jpeg_with_exif, photo

pytestmark = pytest.mark.django_db


def stored_files(settings) -> list:
    root = settings.MEDIA_ROOT
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


@pytest.mark.parametrize(
    ("name", "content", "phrase"), [case[1:] for case in bad_uploads()], ids=[c[0] for c in bad_uploads()]
)
def test_bad_upload_is_refused_naming_the_reason_and_nothing_is_stored(settings, name, content, phrase):
    with pytest.raises(ImageRejected) as refused:
        services.upload_images([upload(content, name)])
    assert phrase in " ".join(refused.value.messages)
    assert Image.objects.count() == 0
    assert stored_files(settings) == []


def test_one_bad_file_in_a_batch_refuses_the_batch_and_names_the_file(settings):
    good = upload(encoded(photo(64, 48), "PNG"), "good.png")
    with pytest.raises(ImageRejected) as refused:
        services.upload_images([good, upload(b"", "empty.jpg")])
    assert refused.value.messages == ["'empty.jpg': The file is empty (0 bytes)."]
    assert Image.objects.count() == 0
    assert stored_files(settings) == []


def test_size_and_pixel_limits_come_from_settings(settings):
    content = encoded(photo(200, 100), "PNG")
    settings.IMAGE_MAX_BYTES = len(content) - 1
    with pytest.raises(ImageRejected, match="the limit is"):
        validate_upload(io.BytesIO(content), "a.png", len(content))
    settings.IMAGE_MAX_BYTES = len(content)
    settings.IMAGE_MAX_PIXELS = 19_999
    with pytest.raises(ImageRejected, match=r"200x100 .*limit is 0.019999 megapixels"):
        validate_upload(io.BytesIO(content), "a.png", len(content))


def test_format_is_recognised_by_content_not_by_extension():
    content = encoded(photo(40, 30), "WEBP")
    validated = validate_upload(io.BytesIO(content), "holiday.jpg", len(content))
    assert validated.metadata["format"] == "WEBP"
    assert validated.extension == "webp"


@pytest.mark.parametrize("image_format", ["JPEG", "PNG", "WEBP", "GIF", "AVIF"])
def test_every_accepted_format_is_decoded(image_format):
    content = encoded(photo(40, 30).convert("P") if image_format == "GIF" else photo(40, 30), image_format)
    validated = validate_upload(io.BytesIO(content), f"x.{image_format.lower()}", len(content))
    assert (validated.metadata["format"], validated.metadata["width"], validated.metadata["height"]) == (
        image_format,
        40,
        30,
    )


def test_png_bomb_is_refused_by_our_pixel_limit_below_pillows():
    content = png_bomb(8000, 6000)  # 48 megapixels: under Pillow's own limit, over ours
    with pytest.raises(ImageRejected, match="8000x6000"):
        validate_upload(io.BytesIO(content), "big.png", len(content))


def test_metadata_safe_exif_subset_orientation_applied_and_gps_stripped_from_the_stored_file():
    content = jpeg_with_exif(300, 200, orientation=6)
    (image,) = services.upload_images([upload(content, "Côte d'Azur.JPG")])
    meta = image.image_metadata
    assert image.original_filename == "Côte d'Azur.JPG"
    assert (meta["width"], meta["height"], meta["orientation"], meta["format"]) == (200, 300, 6, "JPEG")
    assert meta["exif"] == {"make": "Camera Maker", "model": "Model 7"}  # no serial number, no GPS
    assert meta["bytes"] == image.path.size
    with default_storage.open(image.path.name) as handle, PILImage.open(handle) as stored:
        exif = stored.getexif()
        assert ExifTags.IFD.GPSInfo not in exif
        assert exif[ExifTags.Base.Make] == "Camera Maker"
    for name in meta["renditions"].values():
        with default_storage.open(name) as handle, PILImage.open(handle) as rendition:
            assert rendition.width < rendition.height  # turned upright
            assert not rendition.getexif()


def test_file_without_gps_is_stored_byte_for_byte():
    content = jpeg_with_exif(120, 80, gps=False)
    (image,) = services.upload_images([upload(content)])
    with default_storage.open(image.path.name) as handle:
        assert handle.read() == content
