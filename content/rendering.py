"""Turning stored content into safe HTML pieces: Markdown, images, video and audio sources.

Everything here works on objects already loaded, so rendering a post never queries.
"""

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import cmarkgfm
import nh3
from cmarkgfm.cmark import Options
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify

from media_library import renditions

# GitHub-flavoured Markdown (tables, strikethrough, autolinks, task lists) plus footnotes. Raw HTML is
# passed on to nh3, the one sanitizer, as it was with Python-Markdown; cmark is ~50x faster.
MARKDOWN_OPTIONS = Options.CMARK_OPT_UNSAFE | Options.CMARK_OPT_FOOTNOTES
URL_SCHEMES = {"http", "https", "mailto"}
VIDEO_FILE_SUFFIXES = (".mp4", ".webm", ".ogv", ".m4v", ".mov")
YOUTUBE_HOSTS = {"youtube.com", "www.youtube.com", "m.youtube.com", "youtube-nocookie.com", "www.youtube-nocookie.com"}
YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
VIMEO_ID = re.compile(r"^\d{1,12}$")


def render_markdown(text: str | None) -> SafeString:
    """Markdown to HTML, then sanitized: no script, no event handlers, no javascript: URLs."""
    html = cmarkgfm.github_flavored_markdown_to_html(text or "", options=MARKDOWN_OPTIONS)
    return mark_safe(nh3.clean(html, url_schemes=URL_SCHEMES, link_rel="noopener noreferrer nofollow"))


def safe_media_url(url: str | None) -> str | None:
    """The URL if a browser may load it as media: http(s) or a path on this site, else None."""
    if not url:
        return None
    url = url.strip()
    if url.startswith("/") and not url.startswith("//"):
        return url
    parts = urlsplit(url)
    return url if parts.scheme in ("http", "https") and parts.netloc else None


@dataclass(frozen=True)
class Video:
    kind: str  # "embed" (an allow-listed player in an iframe) or "file" (a <video> element)
    src: str
    provider: str = ""


def video_source(url: str | None) -> Video | None:
    """A privacy-friendly player for YouTube and Vimeo, a <video> for a direct file, else None."""
    safe = safe_media_url(url)
    if safe is None:
        return None
    parts = urlsplit(safe)
    host = (parts.hostname or "").lower()
    segments = [segment for segment in parts.path.split("/") if segment]
    if host in YOUTUBE_HOSTS or host == "youtu.be":
        if host == "youtu.be":
            candidate = segments[0] if segments else ""
        elif segments[:1] in (["embed"], ["shorts"], ["live"]) and len(segments) > 1:
            candidate = segments[1]
        else:
            candidate = parse_qs(parts.query).get("v", [""])[0]
        if YOUTUBE_ID.match(candidate):
            return Video("embed", f"https://www.youtube-nocookie.com/embed/{candidate}", "YouTube")
        return None
    if host in ("vimeo.com", "www.vimeo.com", "player.vimeo.com"):
        candidate = segments[-1] if segments else ""
        if VIMEO_ID.match(candidate):
            return Video("embed", f"https://player.vimeo.com/video/{candidate}?dnt=1", "Vimeo")
        return None
    if parts.path.lower().endswith(VIDEO_FILE_SUFFIXES):
        return Video("file", safe)
    return None


@dataclass(frozen=True)
class ImageSource:
    src: str
    srcset: str
    width: int | None
    height: int | None


def image_source(image) -> ImageSource:
    """src, srcset and size of an Image: the media library's renditions when it made them,
    else its watermarked copy, else the original (``media_library.renditions``)."""
    metadata = image.image_metadata if isinstance(image.image_metadata, dict) else {}
    width, height = metadata.get("width"), metadata.get("height")
    return ImageSource(
        src=renditions.best_url(image),
        srcset=renditions.srcset(image),
        width=width if isinstance(width, int) else None,
        height=height if isinstance(height, int) else None,
    )


def format_duration(seconds: int | None) -> str:
    if seconds is None or seconds < 0:
        return ""
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def assign_anchors(sections) -> None:
    """Give every section a unique ``anchor`` id: its title slugified, else its position."""
    seen: set[str] = set()
    for section in sections:
        base = slugify(section.title or "") or f"section-{section.position}"
        anchor, number = base, 2
        while anchor in seen:
            anchor, number = f"{base}-{number}", number + 1
        seen.add(anchor)
        section.anchor = anchor
