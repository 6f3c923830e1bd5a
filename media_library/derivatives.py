"""Files made from an original: the watermarked copy and the WebP renditions readers get.

Works on storage names only (no database), so worker processes can run it. The
original is only read. Output names carry a fingerprint of the settings that shaped
them: a rerun after an interruption rewrites the same names, and a settings change
gives new names (old ones are deleted once the database points at the new ones).
"""

import hashlib
import io
import resource
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image as PILImage
from PIL import ImageOps

from media_library.watermark import WatermarkConfig, apply

VERSION = 1  # raise when the way derivatives are made changes, so --missing redoes them all
# Pillow format of the original -> (format, extension, options) of its watermarked copy.
WATERMARK_OUTPUT = {
    "JPEG": ("JPEG", "jpg", {"quality": 90}),
    "PNG": ("PNG", "png", {}),
    "WEBP": ("WEBP", "webp", {"quality": 90}),
    "AVIF": ("WEBP", "webp", {"quality": 90}),
    "GIF": ("PNG", "png", {}),
}


@dataclass(frozen=True)
class DerivativeSpec:
    watermark: WatermarkConfig | None
    widths: tuple[int, ...]
    quality: int

    @classmethod
    def from_settings(cls) -> "DerivativeSpec":
        config = WatermarkConfig.from_settings()
        return cls(
            watermark=config if config.enabled else None,
            widths=tuple(sorted(set(settings.IMAGE_RENDITION_WIDTHS))),
            quality=settings.IMAGE_RENDITION_QUALITY,
        )

    def fingerprint(self) -> str:
        watermark = self.watermark.fingerprint() if self.watermark else "none"
        parts = f"{VERSION}|{watermark}|{self.widths}|{self.quality}"
        return hashlib.sha256(parts.encode()).hexdigest()[:12]


@dataclass
class DerivativeResult:
    image_id: int | None
    original: str
    fingerprint: str
    watermarked_path: str | None = None
    renditions: dict[str, str] = field(default_factory=dict)
    error: str | None = None
    peak_rss_kb: int = 0

    @property
    def names(self) -> list[str]:
        return [name for name in [self.watermarked_path, *self.renditions.values()] if name]


def delete_files(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


def _stem(original: str) -> str:
    return original.rsplit(".", 1)[0]


def _save(name: str, image: PILImage.Image, image_format: str, **options) -> str:
    buffer = io.BytesIO()
    image.save(buffer, image_format, **options)
    if default_storage.exists(name):  # left by an interrupted run: same settings, same name
        default_storage.delete(name)
    return default_storage.save(name, ContentFile(buffer.getvalue()))


def _rendition_widths(spec: DerivativeSpec, width: int) -> list[int]:
    """Each configured width below the image's own, plus its own when it is narrower than the widest."""
    widths = [candidate for candidate in spec.widths if candidate < width]
    if spec.widths and width < spec.widths[-1]:
        widths.append(width)
    return sorted(set(widths), reverse=True)


def derive(image_id: int | None, original: str, spec: DerivativeSpec) -> DerivativeResult:
    """Make the watermarked copy (when configured) and the renditions of one original."""
    fingerprint = spec.fingerprint()
    result = DerivativeResult(image_id=image_id, original=original, fingerprint=fingerprint)
    try:
        with default_storage.open(original, "rb") as handle, PILImage.open(handle) as source:
            if getattr(source, "n_frames", 1) > 1:
                return result  # animations are shown as uploaded: no still copies of one frame
            source_format = source.format
            image = ImageOps.exif_transpose(source)
        has_alpha = image.mode in {"RGBA", "LA", "PA"} or "transparency" in image.info
        image = image.convert("RGBA" if has_alpha else "RGB")
        stem = _stem(original)
        if spec.watermark:
            image = apply(image, spec.watermark)
            image_format, extension, options = WATERMARK_OUTPUT[source_format]
            if image_format == "JPEG":
                image = image.convert("RGB")
            result.watermarked_path = _save(f"{stem}-wm-{fingerprint}.{extension}", image, image_format, **options)
        for width in _rendition_widths(spec, image.width):
            height = max(1, round(image.height * width / image.width))
            image = image.resize((width, height), PILImage.Resampling.LANCZOS, reducing_gap=3.0)
            name = f"{stem}-{fingerprint}-{width}w.webp"
            result.renditions[str(width)] = _save(name, image, "WEBP", quality=spec.quality)
    except Exception as error:  # one bad file must not stop a batch: report it, keep no half-made files
        result.error = f"{type(error).__name__}: {error}"
        delete_files(result.names)
        result.watermarked_path, result.renditions = None, {}
    finally:
        result.peak_rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return result
