"""Upload validation: Pillow decodes every file before anything is stored.

Formats are recognised by content, never by the file name. Each refusal raises
``ImageRejected`` with a message that names the reason, for the editor to read.
"""

import io
import re
import unicodedata
import warnings
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from PIL import Image as PILImage
from PIL import UnidentifiedImageError

from media_library import metadata

# Pillow format name -> extension of the stored file.
ACCEPTED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif", "AVIF": "avif"}
ACCEPTED_LABEL = "JPEG, PNG, WebP, GIF or AVIF"
MAX_NAME_LENGTH = 255


class ImageRejected(ValidationError):
    """An upload we refuse; the message says why."""


@dataclass
class ValidatedUpload:
    original_filename: str
    extension: str
    metadata: dict[str, Any]
    content: IO[bytes]  # what to store: the upload itself, or a copy re-encoded without GPS data


def clean_filename(name: str | None) -> str:
    """The uploader's file name, for display; refused when it could name a path or hide characters."""
    if not name or not name.strip():
        raise ImageRejected("The file has no name.")
    if "\x00" in name:
        raise ImageRejected("The file name contains a NUL character.")
    if "/" in name or "\\" in name or name.strip() in {".", ".."}:
        raise ImageRejected("The file name contains a path ('/', '\\' or '..'); send the file itself.")
    if any(not char.isprintable() for char in name):
        raise ImageRejected("The file name contains control characters.")
    name = unicodedata.normalize("NFC", name.strip())
    if len(name) > MAX_NAME_LENGTH:
        raise ImageRejected(f"The file name is {len(name)} characters long; the limit is {MAX_NAME_LENGTH}.")
    return name


def validate_upload(file: IO[bytes], name: str | None, size: int) -> ValidatedUpload:
    """Check name, size and content of one upload; raise ImageRejected or return what to store."""
    display_name = clean_filename(name)
    if size == 0:
        raise ImageRejected("The file is empty (0 bytes).")
    if size > settings.IMAGE_MAX_BYTES:
        raise ImageRejected(
            f"The file is {filesizeformat(size)}; the limit is {filesizeformat(settings.IMAGE_MAX_BYTES)}."
        )
    file.seek(0)
    with _open(file) as image:
        try:
            described, content = _inspect(image, file, size)
        except ImageRejected:
            raise
        except Exception as error:  # hostile files make Pillow raise many kinds of error: refuse, never a 500
            raise ImageRejected(f"The image could not be read: it is corrupt ({type(error).__name__}).") from error
    return ValidatedUpload(
        original_filename=display_name,
        extension=ACCEPTED_FORMATS[described["format"]],
        metadata=described,
        content=content,
    )


def _open(file: IO[bytes]) -> PILImage.Image:
    head = file.read(512)
    file.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", PILImage.DecompressionBombWarning)
            return PILImage.open(file, formats=list(ACCEPTED_FORMATS))
    except (PILImage.DecompressionBombError, PILImage.DecompressionBombWarning) as error:
        raise _too_many_pixels(error) from error
    except UnidentifiedImageError as error:
        raise ImageRejected(_unidentified_reason(head)) from error
    except (OSError, ValueError, SyntaxError) as error:
        raise ImageRejected(f"The image could not be decoded: it is corrupt ({error}).") from error


def _unidentified_reason(head: bytes) -> str:
    sample = head.lstrip().lower()
    if b"<svg" in sample or sample.startswith(b"<?xml"):
        return f"SVG images are not accepted (they can carry scripts); upload a {ACCEPTED_LABEL} file."
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return f"The file is not a {ACCEPTED_LABEL} image."
    return f"The file is text, not an image; upload a {ACCEPTED_LABEL} file."


def _megapixels(pixels: int) -> str:
    return f"{pixels / 1_000_000:g} megapixels"


def _pixel_limit() -> int:
    """The most pixels an upload may have: IMAGE_MAX_PIXELS, or Pillow's own bomb limit if that is lower."""
    pillow = PILImage.MAX_IMAGE_PIXELS
    return min(settings.IMAGE_MAX_PIXELS, pillow) if pillow else settings.IMAGE_MAX_PIXELS


def _too_many_pixels(error: Exception) -> ImageRejected:
    """Pillow refused the image before we saw its size: say so with our limit, not Pillow's wording."""
    found = re.search(r"\((\d+) pixels\)", str(error))
    size = f"The image is {_megapixels(int(found.group(1)))}" if found else "The image has too many pixels"
    return ImageRejected(
        f"{size}; the limit is {_megapixels(_pixel_limit())}. It was refused as a possible decompression bomb."
    )


def _inspect(image: PILImage.Image, file: IO[bytes], size: int) -> tuple[dict[str, Any], IO[bytes]]:
    width, height = image.size
    if width * height > settings.IMAGE_MAX_PIXELS:
        raise ImageRejected(
            f"The image is {width}x{height} ({_megapixels(width * height)}); "
            f"the limit is {_megapixels(settings.IMAGE_MAX_PIXELS)}. It was refused as a possible decompression bomb."
        )
    frames = _decode_frames(image)
    meta_size = metadata.metadata_bytes(image)
    if meta_size > settings.IMAGE_MAX_METADATA_BYTES:
        raise ImageRejected(
            f"The image carries {filesizeformat(meta_size)} of metadata; "
            f"the limit is {filesizeformat(settings.IMAGE_MAX_METADATA_BYTES)}."
        )
    image.seek(0)
    exif = image.getexif()
    if metadata.has_gps(image, exif):
        content = _without_gps(image, exif, frames)
        size = len(content.getbuffer())
    else:
        file.seek(0)
        content = file
    return metadata.describe(image, stored_bytes=size, frames=frames), content


def _decode_frames(image: PILImage.Image) -> int:
    """Decode every frame (a truncated or corrupt file fails here); refuse past the frame limit."""
    limit = settings.IMAGE_MAX_FRAMES
    frames = 0
    try:
        while True:
            if frames >= limit:
                raise ImageRejected(f"The animation has more than {limit} frames; the limit is {limit}.")
            image.load()
            frames += 1
            try:
                image.seek(frames)
            except EOFError:
                return frames
    except ImageRejected:
        raise
    except PILImage.DecompressionBombError as error:  # a frame bigger than the image's header said
        raise _too_many_pixels(error) from error
    except (OSError, ValueError, SyntaxError) as error:
        raise ImageRejected(f"The image data is truncated or corrupt ({error}).") from error


def _without_gps(image: PILImage.Image, exif: PILImage.Exif, frames: int) -> io.BytesIO:
    """The image re-encoded without GPS (in EXIF or XMP); JPEG keeps its own quantisation tables."""
    exif.pop(metadata.GPS_IFD, None)
    options: dict[str, Any] = {"exif": exif.tobytes()}
    if image.info.get("icc_profile"):
        options["icc_profile"] = image.info["icc_profile"]
    if image.format == "JPEG":
        options.update(quality="keep", subsampling="keep")
    elif image.format in {"WEBP", "AVIF"}:
        options["quality"] = 95
    if frames > 1:
        options["save_all"] = True
    buffer = io.BytesIO()
    image.save(buffer, image.format, **options)
    buffer.seek(0)
    return buffer
