"""The bad uploads every entry point must refuse, with the words their refusal must contain."""

import struct
import zlib

from PIL import Image as PILImage
from PIL.PngImagePlugin import PngInfo

from testing.images import encoded, jpeg_with_exif, photo


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(width: int = 30000, height: int = 30000) -> bytes:
    """A PNG whose header promises 900 megapixels, with one tiny compressed row."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * (width * 3 + 1))
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


def png_with_huge_text(size: int = 3 * 1024 * 1024) -> bytes:
    info = PngInfo()
    info.add_text("comment", "x" * size)
    return encoded(PILImage.new("RGB", (16, 16), "red"), "PNG", pnginfo=info)


def gif_with_frames(count: int = 1000) -> bytes:
    frames = [PILImage.new("RGB", (4, 4), (index % 256, index // 256 * 60, 0)) for index in range(count)]
    return encoded(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=20)


SVG_WITH_SCRIPT = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def bad_uploads() -> list[tuple[str, str, bytes, str]]:
    """(case id, file name, content, phrase the refusal must contain)."""
    good_jpeg = encoded(photo(64, 48), "JPEG")
    return [
        ("zero-bytes", "empty.jpg", b"", "empty"),
        ("text-as-jpeg", "notes.jpg", b"Meeting notes, not a picture.\n" * 20, "text, not an image"),
        ("truncated-jpeg", "cut.jpg", jpeg_with_exif(gps=False)[:3000], "truncated"),
        ("png-bomb", "bomb.png", png_bomb(), "decompression bomb"),
        ("huge-metadata", "chatty.png", png_with_huge_text(), "of metadata"),
        ("1000-frame-gif", "long.gif", gif_with_frames(), "more than 100 frames"),
        ("svg-with-script", "logo.svg", SVG_WITH_SCRIPT, "SVG images are not accepted"),
        ("dot-dot-slash", "../../etc/evil.jpg", good_jpeg, "contains a path"),
        ("nul-in-name", "evil\x00.jpg", good_jpeg, "NUL character"),
        ("300-unicode-chars", "é" * 296 + ".jpg", good_jpeg, "300 characters long"),
    ]
