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
from itertools import groupby
from operator import attrgetter

from django.db import transaction
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from content.fingerprint import render_fingerprint
from content.models import IntroHtml, Post, PostSection, SectionHtml, SectionType
from content.page_fields import IMAGE_RENDERED_FIELDS, SECTION_RENDERED_FIELDS
from content.rendering import assign_anchors, render_markdown


def render(section: PostSection) -> SafeString:
    """The section as HTML; ``section.anchor`` must be set (``rendering.assign_anchors``)."""
    kind = section.content_type if section.content_type in SectionType.values else SectionType.TEXT
    context = {"section": section, "first": section.position == 1, "body": f"content/sections/{kind}.html"}
    return mark_safe(render_to_string("content/sections/section.html", context))


def source_key(section: PostSection, fingerprint: str) -> str:
    """A hash of what the section is rendered from (``fingerprint``: ``render_fingerprint()``);
    ``section.image`` must already be loaded and ``section.anchor`` set."""
    parts = [fingerprint, section.anchor, section.position == 1]
    parts += [getattr(section, name) for name in SECTION_RENDERED_FIELDS]
    if section.image_id is not None and section.image is not None:
        parts += [
            json.dumps(value, sort_keys=True, default=str) if name == "image_metadata" else str(value)
            for name, value in ((name, getattr(section.image, name)) for name in IMAGE_RENDERED_FIELDS)
        ]
    return hashlib.blake2b(repr(parts).encode(), digest_size=32).hexdigest()


def intro_key(post: Post, fingerprint: str) -> str:
    return hashlib.blake2b(repr([fingerprint, post.content]).encode(), digest_size=32).hexdigest()


def intro_html(post: Post, stored: tuple[str, str] | None) -> SafeString:
    """The post's introduction as HTML: ``stored`` (key, HTML) while its key matches, else rendered now."""
    if stored is not None and stored[0] == intro_key(post, render_fingerprint()):
        return mark_safe(stored[1])
    return render_markdown(post.content)


def sections_html(sections: list[PostSection], stored: dict[int, tuple[str, str]]) -> SafeString:
    """The post's ``sections`` (all of them, in order) as HTML, each the stored HTML (``stored``:
    id -> (key, HTML)) where its key still matches, else a fresh rendering. Sets their ``anchor``."""
    assign_anchors(sections)
    fingerprint = render_fingerprint()
    pieces = []
    for section in sections:
        key, html = stored.get(section.pk, (None, ""))
        pieces.append(html if key == source_key(section, fingerprint) else render(section))
    return mark_safe("".join(pieces))


@transaction.atomic
def store_for_posts(post_ids: Iterable[int]) -> int:
    """Render and store the HTML of these posts' introductions and sections where it is missing or
    stale; returns how many pieces were stored. Call it in the transaction that changed them."""
    post_ids, fingerprint = list(post_ids), render_fingerprint()
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
