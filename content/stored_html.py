"""Posts' HTML rendered once and kept (``SectionHtml``, ``IntroHtml``), and used only while valid.

A section's ``<section>`` element (heading, anchor, media, Markdown) is rendered by
``content/sections/section.html`` when editors save the post's sections or an image it shows,
and stored with a key: a hash of everything the HTML was made from. A page compares that key
with the one its freshly loaded section gives and renders the section itself when they
differ, so stale HTML is never shown: a write that did not store HTML (raw SQL, a restore, a
fixture, a deploy with new templates) only makes pages slower until ``manage.py
render_html`` stores it again. A post's introduction (``post.content``, Markdown) is kept
the same way.
"""

import hashlib
import json
from collections.abc import Iterable
from functools import cache
from importlib.metadata import version
from itertools import groupby
from operator import attrgetter
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from content.models import IntroHtml, Post, PostSection, SectionHtml, SectionType
from content.rendering import assign_anchors, render_markdown

TEMPLATE_DIR = Path(settings.BASE_DIR, "templates", "content", "sections")
# Python that shapes the HTML besides the templates; a change to any of it changes every key.
RENDERER_SOURCES = [
    Path(settings.BASE_DIR, "content", "rendering.py"),
    Path(settings.BASE_DIR, "media_library", "renditions.py"),
]
RENDERER_VERSIONS = (version("cmarkgfm"), version("nh3"))


def render(section: PostSection) -> SafeString:
    """The section as HTML; ``section.anchor`` must be set (``rendering.assign_anchors``)."""
    kind = section.content_type if section.content_type in SectionType.values else SectionType.TEXT
    context = {"section": section, "first": section.position == 1, "body": f"content/sections/{kind}.html"}
    return mark_safe(render_to_string("content/sections/section.html", context))


@cache
def _fingerprint_of(sources: tuple[tuple[Path, int], ...], settings_shown: str) -> str:
    digest = hashlib.blake2b(settings_shown.encode(), digest_size=16)
    for source, _ in sources:
        digest.update(source.read_bytes())
    return digest.hexdigest()


def _sources() -> tuple[tuple[Path, int], ...]:
    return tuple(
        (source, source.stat().st_mtime_ns) for source in [*sorted(TEMPLATE_DIR.glob("*.html")), *RENDERER_SOURCES]
    )


_sources_once = cache(_sources)


def renderer_fingerprint() -> str:
    """A hash of the section templates, the Python rendering code and the media settings.

    Computed once per process, except with DEBUG on, where templates change under a running server
    (then it is recomputed when a file's modification time changes).
    """
    settings_shown = repr((settings.MEDIA_URL, settings.STORAGES.get("default"), RENDERER_VERSIONS))
    return _fingerprint_of(_sources() if settings.DEBUG else _sources_once(), settings_shown)


def source_key(section: PostSection, fingerprint: str) -> str:
    """A hash of what the section is rendered from (``fingerprint``: ``renderer_fingerprint()``);
    ``section.image`` must already be loaded and ``section.anchor`` set."""
    image = section.image if section.image_id is not None else None
    parts = [
        fingerprint,
        section.anchor,
        section.content_type,
        section.content,
        section.title,
        section.subtitle,
        section.video_url,
        section.audio_url,
        section.duration,
        section.position == 1,
        section.image_id,
    ]
    if image is not None:
        metadata = json.dumps(image.image_metadata, sort_keys=True, default=str)
        parts += [image.path.name, image.alt_text, image.caption, image.watermarked, image.watermarked_path, metadata]
    return hashlib.blake2b(repr(parts).encode(), digest_size=32).hexdigest()


def intro_key(post: Post, fingerprint: str) -> str:
    return hashlib.blake2b(repr([fingerprint, post.content]).encode(), digest_size=32).hexdigest()


def intro_html(post: Post, stored: tuple[str, str] | None) -> SafeString:
    """The post's introduction as HTML: ``stored`` (key, HTML) while its key matches, else rendered now."""
    if stored is not None and stored[0] == intro_key(post, renderer_fingerprint()):
        return mark_safe(stored[1])
    return render_markdown(post.content)


def sections_html(sections: list[PostSection], stored: dict[int, tuple[str, str]]) -> SafeString:
    """The post's ``sections`` (all of them, in order) as HTML, each the stored HTML (``stored``:
    id -> (key, HTML)) where its key still matches, else a fresh rendering. Sets their ``anchor``."""
    assign_anchors(sections)
    fingerprint = renderer_fingerprint()
    pieces = []
    for section in sections:
        key, html = stored.get(section.pk, (None, ""))
        pieces.append(html if key == source_key(section, fingerprint) else render(section))
    return mark_safe("".join(pieces))


@transaction.atomic
def store_for_posts(post_ids: Iterable[int]) -> int:
    """Render and store the HTML of these posts' introductions and sections where it is missing or
    stale; returns how many pieces were stored. Call it in the transaction that changed them."""
    post_ids, fingerprint = list(post_ids), renderer_fingerprint()
    intros = []
    for post in (
        Post.objects.filter(pk__in=post_ids)
        .select_related("rendered_intro")
        .only("content", "rendered_intro__source_key")
    ):
        key = intro_key(post, fingerprint)
        if getattr(getattr(post, "rendered_intro", None), "source_key", None) != key:
            intros.append(IntroHtml(post=post, source_key=key, html=render_markdown(post.content)))
    sections = PostSection.objects.filter(post_id__in=post_ids).select_related("image", "rendered")
    fresh = []
    for _, siblings in groupby(sections.order_by("post_id", "position"), key=attrgetter("post_id")):
        siblings = list(siblings)
        assign_anchors(siblings)
        for section in siblings:
            key = source_key(section, fingerprint)
            if getattr(getattr(section, "rendered", None), "source_key", None) != key:
                fresh.append(SectionHtml(section=section, source_key=key, html=render(section)))
    for model, rows, owner in ((IntroHtml, intros, "post"), (SectionHtml, fresh, "section")):
        model.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=[owner], update_fields=["source_key", "html"]
        )
    return len(intros) + len(fresh)
