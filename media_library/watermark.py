"""The watermark: text and/or a logo from settings, composited onto a copy of the image."""

import functools
import hashlib
import os
from dataclasses import asdict, dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from PIL import Image as PILImage
from PIL import ImageDraw, ImageFont

POSITIONS = ("top-left", "top-right", "bottom-left", "bottom-right", "center")
MARGIN = 0.02  # of the shorter side, between the watermark and the edges


@dataclass(frozen=True)
class WatermarkConfig:
    text: str
    logo: str
    position: str
    opacity: float
    size: float

    @classmethod
    def from_settings(cls) -> "WatermarkConfig":
        config = cls(
            text=settings.WATERMARK_TEXT.strip(),
            logo=str(settings.WATERMARK_LOGO or ""),
            position=settings.WATERMARK_POSITION,
            opacity=settings.WATERMARK_OPACITY,
            size=settings.WATERMARK_SIZE,
        )
        config.check()
        return config

    @property
    def enabled(self) -> bool:
        return bool(self.text or self.logo)

    def check(self) -> None:
        if self.position not in POSITIONS:
            raise ImproperlyConfigured(f"WATERMARK_POSITION must be one of {', '.join(POSITIONS)}.")
        if not 0 < self.opacity <= 1:
            raise ImproperlyConfigured("WATERMARK_OPACITY must be above 0 and at most 1.")
        if not 0 < self.size <= 1:
            raise ImproperlyConfigured("WATERMARK_SIZE (a fraction of the image width) must be above 0 and at most 1.")
        if self.logo and not os.path.isfile(self.logo):
            raise ImproperlyConfigured(f"WATERMARK_LOGO names no file: {self.logo}")

    def fingerprint(self) -> str:
        """Changes whenever anything that shapes the watermark changes, the logo's content included."""
        parts = asdict(self)
        if self.logo:
            stat = os.stat(self.logo)
            parts["logo"] = _file_digest(self.logo, stat.st_mtime_ns, stat.st_size)
        return hashlib.sha256(repr(sorted(parts.items())).encode()).hexdigest()[:12]


@functools.lru_cache(maxsize=8)
def _file_digest(path: str, _mtime_ns: int, _size: int) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


@functools.lru_cache(maxsize=4)
def _logo(path: str, _mtime_ns: int) -> PILImage.Image:
    with PILImage.open(path) as logo:
        return logo.convert("RGBA")


def _stamp(config: WatermarkConfig, width: int) -> PILImage.Image:
    """The watermark alone, ``width`` pixels wide, at full opacity: logo above text."""
    parts = []
    if config.logo:
        logo = _logo(config.logo, os.stat(config.logo).st_mtime_ns)
        height = max(1, round(logo.height * width / logo.width))
        parts.append(logo.resize((width, height), PILImage.Resampling.LANCZOS))
    if config.text:
        font = ImageFont.load_default(size=100)
        left, _top, right, _bottom = font.getbbox(config.text)
        size = max(8, round(100 * width / max(1, right - left)))
        font, stroke = ImageFont.load_default(size=size), max(1, size // 25)
        left, top, right, bottom = font.getbbox(config.text, stroke_width=stroke)
        text = PILImage.new("RGBA", (right - left, bottom - top), (0, 0, 0, 0))
        ImageDraw.Draw(text).text(
            (-left, -top), config.text, font=font, fill="white", stroke_width=stroke, stroke_fill="black"
        )
        parts.append(text)
    stamp = PILImage.new("RGBA", (max(part.width for part in parts), sum(part.height for part in parts)))
    top = 0
    for part in parts:
        stamp.paste(part, ((stamp.width - part.width) // 2, top), part)
        top += part.height
    return stamp


def _origin(config: WatermarkConfig, canvas: tuple[int, int], stamp: tuple[int, int]) -> tuple[int, int]:
    margin = round(min(canvas) * MARGIN)
    free_x, free_y = canvas[0] - stamp[0], canvas[1] - stamp[1]
    if config.position == "center":
        return free_x // 2, free_y // 2
    vertical, horizontal = config.position.split("-")
    x = margin if horizontal == "left" else free_x - margin
    y = margin if vertical == "top" else free_y - margin
    return max(0, x), max(0, y)


def apply(image: PILImage.Image, config: WatermarkConfig) -> PILImage.Image:
    """A watermarked copy of ``image`` (RGB or RGBA); the image passed in is left untouched."""
    stamp = _stamp(config, max(1, round(image.width * config.size)))
    if stamp.height > image.height:
        stamp = stamp.resize((max(1, stamp.width * image.height // stamp.height), image.height))
    alpha = stamp.getchannel("A").point(lambda value: round(value * config.opacity))
    stamp.putalpha(alpha)
    result = image.convert("RGBA")
    result.alpha_composite(stamp, _origin(config, image.size, stamp.size))
    return result if image.mode == "RGBA" else result.convert("RGB")
