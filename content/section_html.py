"""Sections' HTML rendered once and kept with the row (``SectionHtml``), and used only while valid.

A section's body (its media and its Markdown) is rendered by ``content/sections/<type>.html``
when the section or its image is saved (``content.signals``), and stored with a key: a hash
of everything the HTML was made from. A page compares that key with the one its freshly
loaded section gives and renders the section itself when they differ, so stale HTML is never
shown: a write that bypassed the signals, a restore or a deploy with new templates only
makes pages slower until ``manage.py render_sections`` stores the HTML again.
"""

import hashlib
import json
from collections.abc import Iterable
from functools import cache
from importlib.metadata import version
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from content.models import ContentType, PostSection, SectionHtml

TEMPLATE_DIR = Path(settings.BASE_DIR, "templates", "content", "sections")
# Python that shapes the HTML besides the templates; a change to any of it changes every key.
RENDERER_SOURCES = [
    Path(settings.BASE_DIR, "content", "rendering.py"),
    Path(settings.BASE_DIR, "media_library", "renditions.py"),
]
RENDERER_VERSIONS = (version("cmarkgfm"), version("nh3"))


def section_template(section: PostSection) -> str:
    """The small template that renders a section of this content type (text when unknown)."""
    kind = section.content_type if section.content_type in ContentType.values else ContentType.TEXT
    return f"content/sections/{kind}.html"


def render_body(section: PostSection) -> SafeString:
    """The section's media and text as HTML (its title and anchor belong to the page)."""
    context = {"section": section, "first": section.position == 1}
    return mark_safe(render_to_string(section_template(section), context))


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
    """A hash of what the body is rendered from (``fingerprint``: ``renderer_fingerprint()``);
    ``section.image`` must already be loaded."""
    image = section.image if section.image_id is not None else None
    parts = [
        fingerprint,
        section.content_type,
        section.content,
        section.title,
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


def attach_bodies(sections: Iterable[PostSection], stored: dict[int, tuple[str, str]]) -> None:
    """Set ``section.body_html`` on each section: its stored HTML (``stored``: id -> (key, html))
    when the key still matches, else a fresh rendering."""
    fingerprint = renderer_fingerprint()
    for section in sections:
        key, html = stored.get(section.pk, (None, ""))
        section.body_html = mark_safe(html) if key == source_key(section, fingerprint) else render_body(section)


@transaction.atomic
def store(sections: Iterable[PostSection]) -> int:
    """Render and store the HTML of ``sections`` (with their images loaded) whose stored HTML is
    missing or stale; returns how many were stored."""
    sections = list(sections)
    stored = dict(
        SectionHtml.objects.filter(section__in=[section.pk for section in sections]).values_list(
            "section_id", "source_key"
        )
    )
    fresh, fingerprint = [], renderer_fingerprint()
    for section in sections:
        key = source_key(section, fingerprint)
        if stored.get(section.pk) != key:
            fresh.append(SectionHtml(section_id=section.pk, source_key=key, html=render_body(section)))
    SectionHtml.objects.bulk_create(
        fresh, update_conflicts=True, unique_fields=["section"], update_fields=["source_key", "html"]
    )
    return len(fresh)


def store_for_posts(post_ids: Iterable[int]) -> int:
    """Store the HTML of every section of these posts that lacks it or has it stale."""
    return store(PostSection.objects.filter(post_id__in=list(post_ids)).select_related("image"))
