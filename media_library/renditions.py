"""What readers get: the URLs of an image's renditions, with no database query.

``image.image_metadata["renditions"]`` maps widths to storage names, e.g.
``{"480": "images/2026/11/ab12-3f9c-480w.webp", "960": ...}``; they are made from the
watermarked copy when there is one. Images without renditions (old or demo rows)
fall back to the watermarked copy, then to the original.
"""

from django.core.files.storage import default_storage

from media_library.models import Image


def renditions(image: Image) -> dict[int, str]:
    """Width -> URL, narrowest first. Entries that are not ``"width": "name"`` (metadata edited by
    hand, say) are left out rather than break a page."""
    metadata = image.image_metadata if isinstance(image.image_metadata, dict) else {}
    names = metadata.get("renditions")
    if not isinstance(names, dict):
        return {}
    valid = [
        (int(width), name) for width, name in names.items() if str(width).isdigit() and isinstance(name, str) and name
    ]
    return {width: default_storage.url(name) for width, name in sorted(valid)}


def srcset(image: Image | None) -> str:
    """The ``srcset`` attribute value: ``"url 480w, url 960w, …"``; empty without renditions."""
    if image is None:
        return ""
    return ", ".join(f"{url} {width}w" for width, url in renditions(image).items())


def best_url(image: Image | None, width: int | None = None) -> str:
    """The URL for an ``<img src>``: the narrowest rendition at least ``width`` wide (the widest
    when ``width`` is None), else the watermarked copy, else the original."""
    if image is None:
        return ""
    available = renditions(image)
    if available:
        wide_enough = [url for w, url in available.items() if width is not None and w >= width]
        return wide_enough[0] if wide_enough else list(available.values())[-1]
    if image.watermarked and image.watermarked_path:
        return default_storage.url(image.watermarked_path)
    return image.path.url if image.path else ""
