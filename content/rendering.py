"""Turning stored content into safe HTML pieces: Markdown, images, video and audio sources.

Everything here works on objects already loaded, so rendering a post never queries.
"""

import html
import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import parse_qs, urlsplit

import nh3
from cmarkgfm.cmark import Options, markdown_to_html_with_extensions
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify

from content.site import valid_html
from content.site.html_values import CONTROLS, clean_url, cut_at_word, strip_controls
from media_library import renditions

# GitHub-flavoured Markdown (tables, strikethrough, autolinks, task lists) plus footnotes. Raw HTML is
# passed on to nh3, the one sanitizer, as it was with Python-Markdown; cmark is ~50x faster. Without
# cmarkgfm's CMARK_OPT_GITHUB_PRE_LANG, a fence's language is a class (<pre><code class="language-x">).
MARKDOWN_OPTIONS = Options.CMARK_OPT_UNSAFE | Options.CMARK_OPT_FOOTNOTES
MARKDOWN_EXTENSIONS = ["table", "autolink", "tagfilter", "strikethrough", "tasklist"]
URL_SCHEMES = {"http", "https", "mailto"}
# Only what Markdown makes and a few common inline and block elements whose validity
# ``valid_html.repair`` can ensure; see there for the attributes' values.
SANITIZER = nh3.Cleaner(
    tags=valid_html.TAGS,
    attributes=valid_html.ATTRIBUTES,
    url_schemes=URL_SCHEMES,
    link_rel="noopener noreferrer nofollow",
)
VIDEO_FILE_SUFFIXES = (".mp4", ".webm", ".ogv", ".m4v", ".mov")
YOUTUBE_HOSTS = {"youtube.com", "www.youtube.com", "m.youtube.com", "youtube-nocookie.com", "www.youtube-nocookie.com"}
YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
VIMEO_ID = re.compile(r"^\d{1,12}$")
# A task list item's checkbox as cmark-gfm writes it: a mark stands for it through the sanitizer.
_TASK = re.compile(r'<li><input type="checkbox"( checked="")? disabled="" />')
_UNCHECKED, _CHECKED = valid_html.TASK_MARKS
# What the source may not hold: controls, the task marks, and character references to U+FFFE and U+FFFF
# (cmark-gfm writes them as invalid UTF-8, which cmarkgfm then fails to decode: a page would fail).
_SOURCE_NOISE = re.compile(f"{CONTROLS.pattern}|[{_UNCHECKED}{_CHECKED}]|&#(?:[xX]0*[fF]{{3}}[eEfF]|0*6553[45]);")
# Where a block starts or ends in cmark's HTML: plain text keeps a space there.
_BLOCK_EDGE = re.compile(r"<(/?)(p|div|li|h[1-6]|br|hr|td|th|tr|blockquote|pre|summary)\b")
DESCRIPTION_CHARS = 160
# Ids of the page itself (base.html) and the prefix of the introduction's footnote ids: no section's anchor.
RESERVED_IDS = {"main", "search-q", "intro"}


def _cmark(text: str) -> str:
    return markdown_to_html_with_extensions(
        _SOURCE_NOISE.sub("", text), options=MARKDOWN_OPTIONS, extensions=MARKDOWN_EXTENSIONS
    )


def render_markdown(text: str | None, min_heading: int = 2, id_prefix: str = "intro") -> SafeString:
    """Markdown to valid HTML, sanitized: no script, no event handlers, no javascript: URLs.

    Task list items get a disabled checkbox with an accessible name. ``min_heading``: Markdown
    headings are demoted to at least this level (a post's introduction sits under its h1, a
    titled section's text under its h2); ``id_prefix`` keeps footnote ids unique on the page.
    """
    marked = _TASK.sub(lambda match: "<li>" + (_CHECKED if match.group(1) else _UNCHECKED), _cmark(text or ""))
    valid = valid_html.repair(SANITIZER.clean(marked), min_heading=min_heading, id_prefix=id_prefix)
    return mark_safe(valid)  # sanitized by nh3, repaired and serialized with escaping


def plain_text(text: str | None, limit: int = DESCRIPTION_CHARS) -> str:
    """Markdown or HTML as one line of plain text (for meta descriptions), cut at a word boundary."""
    markup = _BLOCK_EDGE.sub(r" <\1\2", _cmark(text or ""))
    words = strip_controls(html.unescape(nh3.clean(markup, tags=set()))).split()
    return cut_at_word(" ".join(words), limit)


def display_title(title: str | None) -> str:
    """A title as shown: on one line, never empty (a link or heading without text has no name)."""
    return " ".join(strip_controls(title or "").split()) or "Untitled"


def safe_media_url(url: str | None) -> str | None:
    """The URL if a browser may load it as media: http(s) or a path on this site, else None."""
    url = clean_url(url or "", schemes=("http", "https"))
    if not url or url.startswith("//"):
        return None
    return url if url.startswith(("http:", "https:", "/")) else None


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
    width, height = (metadata.get(name) for name in ("width", "height"))
    return ImageSource(
        src=renditions.best_url(image),
        # A width descriptor must be above 0; a URL is whatever the storage made it.
        srcset=", ".join(f"{url} {width}w" for width, url in renditions.renditions(image).items() if width > 0),
        width=width if _pixels(width) else None,
        height=height if _pixels(height) else None,
    )


def _pixels(value) -> bool:
    """A size from metadata HTML accepts: a positive int (edited by hand, it could be anything)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 100_000


# Titles slugified once per process (7 µs each; a post rendered again after an edit keeps most of its titles).
_slug = lru_cache(maxsize=8192)(slugify)


def assign_anchors(sections) -> None:
    """Give every section a unique ``anchor`` id: its title slugified, else its position. Neither the
    anchor nor its heading's id (``anchor-title``) is another section's or one the page uses itself."""
    seen = set(RESERVED_IDS)
    for section in sections:
        base = _slug(section.title or "") or f"section-{section.position}"
        anchor, number = base, 2
        while anchor in seen or f"{anchor}-title" in seen:
            anchor, number = f"{base}-{number}", number + 1
        seen.update((anchor, f"{anchor}-title"))
        section.anchor = anchor
