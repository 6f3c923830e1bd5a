"""Sample images made with Pillow, for tests and the watermark benchmark."""

from io import BytesIO

from PIL import ExifTags
from PIL import Image as PILImage


def png_bytes(width: int = 8, height: int = 6, color: str = "teal") -> bytes:
    buffer = BytesIO()
    PILImage.new("RGB", (width, height), color).save(buffer, "PNG")
    return buffer.getvalue()


def encoded(image, image_format: str, **options) -> bytes:
    buffer = BytesIO()
    image.save(buffer, image_format, **options)
    return buffer.getvalue()


def photo(width: int = 1200, height: int = 800):
    """A photo-like RGB image: a gradient with detail, so encoders have real work."""
    gradient = PILImage.linear_gradient("L").resize((width, height))
    noise = PILImage.effect_noise((width, height), 40)
    return PILImage.merge("RGB", (gradient, noise, gradient.transpose(PILImage.Transpose.FLIP_LEFT_RIGHT)))


def jpeg_with_exif(width: int = 1200, height: int = 800, orientation: int = 1, gps: bool = True) -> bytes:
    image = photo(width, height)
    exif = image.getexif()
    exif[ExifTags.Base.Make] = "Camera Maker"
    exif[ExifTags.Base.Model] = "Model 7"
    exif[ExifTags.Base.Orientation] = orientation
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.BodySerialNumber] = "SERIAL-123"
    if gps:
        exif.get_ifd(ExifTags.IFD.GPSInfo).update({1: "N", 2: (48.0, 51.0, 24.0), 3: "E", 4: (2.0, 21.0, 3.0)})
    return encoded(image, "JPEG", exif=exif, quality=85)
