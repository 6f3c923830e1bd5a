"""What we record about an image: dimensions, format, orientation and a safe subset of EXIF.

GPS positions, serial numbers, maker notes and embedded thumbnails are never copied.
"""

from typing import Any

from PIL import ExifTags
from PIL import Image as PILImage

ORIENTATION_TAG = ExifTags.Base.Orientation
GPS_IFD = ExifTags.IFD.GPSInfo
EXIF_IFD = ExifTags.IFD.Exif

SAFE_BASE_TAGS = {
    ExifTags.Base.Make: "make",
    ExifTags.Base.Model: "model",
    ExifTags.Base.Software: "software",
    ExifTags.Base.DateTime: "datetime",
    ExifTags.Base.Artist: "artist",
    ExifTags.Base.Copyright: "copyright",
}
SAFE_EXIF_TAGS = {
    ExifTags.Base.DateTimeOriginal: "datetime_original",
    ExifTags.Base.ExposureTime: "exposure_time",
    ExifTags.Base.FNumber: "f_number",
    ExifTags.Base.ISOSpeedRatings: "iso",
    ExifTags.Base.FocalLength: "focal_length",
    ExifTags.Base.LensModel: "lens_model",
}
MAX_TEXT = 200
# Orientations 5 to 8 turn the image by 90 degrees: width and height swap for display.
TURNED_ORIENTATIONS = {5, 6, 7, 8}


def json_safe(value: Any) -> str | int | float | None:
    """An EXIF value as JSON: short printable text or a number; anything else is dropped."""
    if isinstance(value, bytes):
        return None
    if isinstance(value, bool | int):
        return int(value)
    if isinstance(value, str):
        text = "".join(char for char in value if char.isprintable()).strip()
        return text[:MAX_TEXT] or None
    try:
        number = float(value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    return round(number, 6) if number == number else None  # NaN from 0/0 rationals


def safe_exif(exif: PILImage.Exif) -> dict[str, str | int | float]:
    result = {}
    sources = ((exif, SAFE_BASE_TAGS), (exif.get_ifd(EXIF_IFD), SAFE_EXIF_TAGS))
    for values, tags in sources:
        for tag, key in tags.items():
            value = json_safe(values.get(tag))
            if value is not None:
                result[key] = value
    return result


def orientation(exif: PILImage.Exif) -> int:
    value = exif.get(ORIENTATION_TAG, 1)
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def has_gps(image: PILImage.Image, exif: PILImage.Exif) -> bool:
    xmp = image.info.get("xmp") or b""
    if isinstance(xmp, str):
        xmp = xmp.encode()
    return GPS_IFD in exif or b"GPSLatitude" in xmp or b"GPSLongitude" in xmp


def metadata_bytes(image: PILImage.Image) -> int:
    """Bytes of metadata the file carries: EXIF, XMP, ICC, comments, text chunks, JPEG segments."""
    total = sum(len(value) for value in image.info.values() if isinstance(value, bytes | str))
    total += sum(len(value) for _marker, value in getattr(image, "applist", []))
    return total


def describe(image: PILImage.Image, *, stored_bytes: int, frames: int) -> dict[str, Any]:
    """The ``image_metadata`` of a decoded image; width and height as readers see it (oriented)."""
    exif = image.getexif()
    turn = orientation(exif)
    width, height = image.size
    if turn in TURNED_ORIENTATIONS:
        width, height = height, width
    return {
        "width": width,
        "height": height,
        "format": image.format,
        "mode": image.mode,
        "bytes": stored_bytes,
        "orientation": turn,
        "frames": frames,
        "exif": safe_exif(exif),
    }
