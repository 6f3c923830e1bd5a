"""What the content checks read and what they say: a post's facts, its texts, its links to this blog, the
problems found and where to fix them. Pure data and pure functions (``checklist`` runs the checks)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.http import Http404
from django.urls import get_script_prefix, resolve, reverse

from content.editorial import checklist_markdown as markdown
from content.models import SectionType

TAG_ROUTES = {"tag_detail", "tag_feed_rss", "tag_feed_atom"}


# --- what the checks read ---


@dataclass(frozen=True)
class ImageFacts:
    label: str
    alt_text: str
    edit_url: str = ""


@dataclass(frozen=True)
class SectionFacts:
    number: int  # its place among the post's sections, 1-based, as the change page shows it
    form_index: int  # the inline form showing it: its fields' ids are id_sections-<form_index>-<field>
    content_type: str = SectionType.TEXT
    title: str = ""
    subtitle: str = ""
    content: str = ""
    image_id: int | None = None
    image: ImageFacts | None = None  # None: no image chosen, or the chosen one no longer exists
    video_url: str = ""
    audio_url: str = ""

    @property
    def name(self) -> str:
        """“section 2 (“At night”)”, to name it inside a sentence."""
        title = " ".join((self.title or self.subtitle or "").split())
        return f"section {self.number} (“{title}”)" if title else f"section {self.number}"

    def field_id(self, name: str) -> str:
        return f"id_sections-{self.form_index}-{name}"

    @property
    def heading_level(self) -> int:
        """The level of the heading readers see above the section's text: its title (h2), else the page's h1."""
        return 2 if (self.title or self.subtitle or "").strip() else 1


@dataclass(frozen=True)
class LinkTarget:
    """What one of this blog's posts, linked to from the post, is now."""

    state: str  # "live", "moved" (an old address of a live post), "scheduled", "unpublished", "trash"
    publish_at: datetime | None = None


@dataclass(frozen=True)
class PostFacts:
    title: str = ""
    subtitle: str = ""
    summary: str = ""
    content: str = ""
    slug: str = ""
    tag_slugs: frozenset[str] = frozenset()  # the post's own tags
    sections: tuple[SectionFacts, ...] = ()
    linked_posts: Mapping[str, LinkTarget] = field(default_factory=dict)  # slug -> target; absent: no such post
    linked_tags: Mapping[str, bool] = field(default_factory=dict)  # slug -> has a live post; absent: no such tag
    # When readers will see the post: the time it is being scheduled for (None: now).
    publish_at: datetime | None = None


@dataclass(frozen=True)
class Text:
    """One Markdown text of the post, where it is on the change page and the heading it sits under."""

    place: str  # "the introduction", "section 2 (“At night”)"
    field_id: str
    source: str  # the Markdown
    under_level: int

    @property
    def reading(self) -> markdown.TextContents:
        return markdown.read(self.source)


def texts(facts: PostFacts) -> Iterator[Text]:
    """The introduction, then each section's text (text under a picture, video or sound included)."""
    yield Text("the introduction", "id_content", facts.content, 1)
    for section in facts.sections:
        yield Text(section.name, section.field_id("content"), section.content, section.heading_level)


# --- what the checks say ---


@dataclass(frozen=True)
class Problem:
    text: str  # one sentence, in the editor's words
    anchor: str  # the id of the field (or part of the change page) to fix it in
    action: str  # the link's words: "Edit the title"
    url: str = ""  # another page where it is fixed (an image's alt text), opened beside the form
    url_action: str = ""


@dataclass(frozen=True)
class Outcome:
    ok: bool
    detail: str  # one sentence naming what was found: the refusal of a step quotes it
    problems: tuple[Problem, ...] = ()


# --- links to this blog ---


def _site_host() -> str:
    return (urlsplit(settings.SITE_URL).hostname or "").lower()


@lru_cache(maxsize=64)
def _checked_prefixes(script_prefix: str) -> tuple[str, ...]:
    """The starts of the addresses of posts and tags (“/posts/”, “/tags/”), without the script prefix: a link
    there must lead somewhere. Reversed once per script prefix, as ``content.paths`` does."""
    prefixes = []
    for name in ("content:post_detail", "content:tag_detail"):
        path = "/" + reverse(name, kwargs={"slug": "x"})[len(script_prefix) :]
        prefixes.append(path[: path.rstrip("/").rfind("/") + 1])
    return tuple(prefixes)


def link_target(href: str) -> tuple[str, str] | None:
    """What a link asks of this blog: ("post", slug), ("tag", slug), or ("nothing", path) for an address
    under the posts' or tags' that leads nowhere; None for other sites, other pages and anchors."""
    try:
        parts = urlsplit((href or "").strip())
        host = (parts.hostname or "").lower()
    except ValueError:
        return None
    if parts.netloc:
        if parts.scheme not in ("http", "https", "") or host != _site_host():
            return None
    elif parts.scheme or not parts.path.startswith("/"):
        return None
    path = unquote(parts.path or "/")
    script_prefix = get_script_prefix()
    if script_prefix != "/" and path.startswith(script_prefix):
        path = "/" + path[len(script_prefix) :]
    try:
        match = resolve(path)
    except (Http404, ValueError):
        return ("nothing", path) if path.startswith(_checked_prefixes(script_prefix)) else None
    if match.namespace == "content" and match.url_name == "post_detail":
        return "post", match.kwargs["slug"]
    if match.namespace == "content" and match.url_name in TAG_ROUTES:
        return "tag", match.kwargs["slug"]
    return None


def linked_slugs(facts: PostFacts) -> tuple[set[str], set[str]]:
    """The slugs of the posts and of the tags the post's texts link to (what the selector looks up)."""
    posts, tags = set(), set()
    for text in texts(facts):
        for href in text.reading.links:
            target = link_target(href)
            if target and target[0] == "post":
                posts.add(target[1])
            elif target and target[0] == "tag":
                tags.add(target[1])
    return posts, tags
