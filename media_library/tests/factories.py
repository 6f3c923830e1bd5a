import factory
from django.core.files.base import ContentFile

from media_library.models import Image


def png_bytes(width: int = 8, height: int = 6, color: str = "teal") -> bytes:
    from io import BytesIO

    from PIL import Image as PILImage

    buffer = BytesIO()
    PILImage.new("RGB", (width, height), color).save(buffer, "PNG")
    return buffer.getvalue()


class ImageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Image

    filename = factory.Sequence(lambda n: f"images/test/image-{n}.png")
    original_filename = factory.Sequence(lambda n: f"holiday {n}.png")
    path = factory.LazyAttribute(lambda image: ContentFile(png_bytes(), name=image.filename.rsplit("/", 1)[-1]))
    alt_text = factory.Sequence(lambda n: f"A teal rectangle, number {n}")
    image_metadata = factory.LazyFunction(lambda: {"width": 8, "height": 6, "format": "PNG"})


def encoded(image, image_format: str, **options) -> bytes:
    from io import BytesIO

    buffer = BytesIO()
    image.save(buffer, image_format, **options)
    return buffer.getvalue()


def photo(width: int = 1200, height: int = 800):
    """A photo-like RGB image: a gradient with detail, so encoders have real work."""
    from PIL import Image as PILImage

    gradient = PILImage.linear_gradient("L").resize((width, height))
    noise = PILImage.effect_noise((width, height), 40)
    return PILImage.merge("RGB", (gradient, noise, gradient.transpose(PILImage.Transpose.FLIP_LEFT_RIGHT)))


def jpeg_with_exif(width: int = 1200, height: int = 800, orientation: int = 1, gps: bool = True) -> bytes:
    from PIL import ExifTags

    image = photo(width, height)
    exif = image.getexif()
    exif[ExifTags.Base.Make] = "Camera Maker"
    exif[ExifTags.Base.Model] = "Model 7"
    exif[ExifTags.Base.Orientation] = orientation
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.BodySerialNumber] = "SERIAL-123"
    if gps:
        exif.get_ifd(ExifTags.IFD.GPSInfo).update({1: "N", 2: (48.0, 51.0, 24.0), 3: "E", 4: (2.0, 21.0, 3.0)})
    return encoded(image, "JPEG", exif=exif, quality=85)


def upload(content: bytes, name: str = "photo.jpg"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from media_library.services import Upload

    return Upload(SimpleUploadedFile(name, content), name, len(content))
