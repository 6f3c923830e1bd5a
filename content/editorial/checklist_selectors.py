"""What the content checks read, loaded in a bounded number of queries, whatever the number of sections.

From a post's rows or a published post's working copy (the gates), or from the change form (the panel:
as the page shows it, and as the editor leaves it unsaved): one query for the sections with their
images, and what the post's links lead to, only when it links to this blog's posts or tags: one query
for the posts, one for old addresses of posts, one for the tags and one for the post's own tags.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from functools import partial

from django.db.models import Exists, OuterRef
from django.urls import reverse
from taggit.utils import edit_string_for_tags, parse_tags

from content.editorial.checklist_facts import ImageFacts, LinkTarget, PostFacts, SectionFacts, linked_slugs
from content.editorial.forms import MAX_SECTIONS, marked_for_deletion
from content.models import Post, PostSection, SectionType, SlugRedirect, Tag
from media_library.models import Image

# The prefix of the section forms on the change page (the inline's related name).
SECTION_PREFIX = "sections"
SECTION_TEXT_FIELDS = ("content_type", "title", "subtitle", "content", "video_url", "audio_url")


def _image_facts(image: Image | None) -> ImageFacts | None:
    if image is None:
        return None
    edit_url = reverse("admin:media_library_image_change", args=[image.pk])
    return ImageFacts(label=str(image), alt_text=image.alt_text or "", edit_url=edit_url)


def load_sections(post: Post, sections: list[PostSection] | None = None) -> list[PostSection]:
    """The post's sections in order with their images (one query), or ``sections`` (a working copy's) with
    the images they lack loaded in one query. An image that no longer exists reads as None, its id kept."""
    if sections is None:
        return list(post.sections.select_related("image").order_by("position"))
    wanted = [section for section in sections if section.image_id and not PostSection.image.is_cached(section)]
    if wanted:
        images = Image.objects.in_bulk({section.image_id for section in wanted})
        for section in wanted:  # through the cache: assigning None would clear image_id
            PostSection.image.field.set_cached_value(section, images.get(section.image_id))
    return sections


def _section_facts(sections: Iterable[PostSection]) -> tuple[SectionFacts, ...]:
    """Sections (in order, their images loaded) as the checks read them."""
    return tuple(
        SectionFacts(
            number=index + 1,
            form_index=index,  # the change form lists the sections in this order
            content_type=section.content_type,
            title=section.title or "",
            subtitle=section.subtitle or "",
            content=section.content or "",
            image_id=section.image_id,
            image=_image_facts(section.image) if section.image_id else None,
            video_url=section.video_url or "",
            audio_url=section.audio_url or "",
        )
        for index, section in enumerate(sections)
    )


def _own_tag_slugs(names: Iterable[str]) -> frozenset[str]:
    """The slugs of tags named ``names``: the existing tags', else the slug a new tag would get."""
    names = {name for name in names if name}
    if not names:
        return frozenset()
    existing = dict(Tag.objects.filter(name__in=names).values_list("name", "slug"))
    return frozenset(existing.get(name) or Tag().slugify(name) for name in names)


def _with_links(facts: PostFacts, own_tags: Callable[[], frozenset[str]]) -> PostFacts:
    """``facts`` with what its links to this blog's posts and tags lead to, and (``own_tags``, asked only
    when it links to tags) the slugs of its own tags; no query when it links to no post or tag."""
    post_slugs, tag_slugs = linked_slugs(facts)
    post_slugs.discard(facts.slug)
    targets: dict[str, LinkTarget] = {}
    if post_slugs:
        live = Exists(Post.objects.live().filter(pk=OuterRef("pk")))  # the readers' own rule
        rows = Post.objects.filter(slug__in=post_slugs).annotate(live=live)
        for slug, is_live, deleted_at, published, published_at, publish_at, stage in rows.values_list(
            "slug", "live", "deleted_at", "published", "published_at", "publish_at", "workflow_stage"
        ):
            targets[slug] = _target(is_live, deleted_at, published, published_at, publish_at, stage)
        not_live = post_slugs - {slug for slug, target in targets.items() if target.state == "live"}
        if not_live:
            moved = SlugRedirect.objects.filter(old_slug__in=not_live, post__in=Post.objects.live())
            targets.update({slug: LinkTarget("moved") for slug in moved.values_list("old_slug", flat=True)})
    if not tag_slugs:
        return dataclasses.replace(facts, linked_posts=targets)
    live_posts = Exists(Post.objects.live().filter(tags=OuterRef("pk")))
    tags = dict(Tag.objects.filter(slug__in=tag_slugs).annotate(live=live_posts).values_list("slug", "live"))
    return dataclasses.replace(facts, linked_posts=targets, linked_tags=tags, tag_slugs=own_tags())


def _target(is_live, deleted_at, published, published_at, publish_at, stage) -> LinkTarget:
    if is_live:
        return LinkTarget("live")
    if deleted_at is not None:
        return LinkTarget("trash")
    if published and published_at is not None:
        return LinkTarget("scheduled", published_at)  # published, with a publication time still ahead
    if publish_at is not None and stage == "publishing":
        return LinkTarget("scheduled", publish_at)
    return LinkTarget("unpublished")


def facts_for_post(
    post: Post,
    sections: list[PostSection] | None = None,
    *,
    tags: Iterable[str] | None = None,
    publish_at: datetime | None = None,
) -> PostFacts:
    """The facts of a post: its rows, or the ``sections`` and ``tags`` (names) given instead (a working
    copy's, in memory). ``publish_at``: the time it is being scheduled for."""
    sections = load_sections(post, sections)
    if tags is not None:
        names = list(tags)
        own_tags = partial(_own_tag_slugs, names)
    else:
        own_tags = partial(_slugs_of_tags, post)
    facts = PostFacts(
        title=post.title or "",
        subtitle=post.subtitle or "",
        summary=post.summary or "",
        content=post.content or "",
        slug=post.slug or "",
        sections=_section_facts(sections),
        publish_at=publish_at,
    )
    return _with_links(facts, own_tags)


def _slugs_of_tags(post: Post) -> frozenset[str]:
    return frozenset(post.tags.values_list("slug", flat=True)) if post.pk else frozenset()


# --- the unsaved change form ---


def _whole(value, default: int | None = None) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return default


def _text(data: Mapping, name: str) -> str:
    value = data.get(name, "")
    return value if isinstance(value, str) else ""


def facts_from_form(post: Post, data: Mapping) -> PostFacts:
    """The facts of the change form's data as sent (a ``QueryDict``, or ``shown_values``), saved or not,
    valid or not.

    Read as leniently as the page shows it: a field missing or malformed reads as empty, sections marked
    for deletion and new section forms left blank are left out, the rest ordered by their position fields.
    """
    total = min(max(_whole(data.get(f"{SECTION_PREFIX}-TOTAL_FORMS"), 0) or 0, 0), MAX_SECTIONS)
    rows = []
    for index in range(total):
        if marked_for_deletion(data, f"{SECTION_PREFIX}-{index}"):
            continue
        prefix = f"{SECTION_PREFIX}-{index}-"
        values = {name: _text(data, prefix + name) for name in SECTION_TEXT_FIELDS}
        image_id = _whole(data.get(prefix + "image"))
        image_id = image_id if image_id and 0 < image_id < 2**31 else None
        is_new = not _text(data, prefix + "id").strip()
        if is_new and image_id is None and not any(values[name].strip() for name in SECTION_TEXT_FIELDS[1:]):
            continue  # an added form left blank: the save skips it too
        rows.append((_whole(data.get(prefix + "position")), index, values, image_id))
    rows.sort(key=lambda row: (row[0] is None, row[0] or 0, row[1]))
    images = Image.objects.in_bulk({row[3] for row in rows if row[3]}) if any(row[3] for row in rows) else {}
    sections = []
    for number, (_, index, values, image_id) in enumerate(rows, start=1):
        kind = values["content_type"] if values["content_type"] in SectionType.values else SectionType.TEXT
        sections.append(
            SectionFacts(
                number=number,
                form_index=index,
                content_type=kind,
                title=values["title"],
                subtitle=values["subtitle"],
                content=values["content"],
                image_id=image_id,
                image=_image_facts(images.get(image_id)) if image_id else None,
                video_url=values["video_url"],
                audio_url=values["audio_url"],
            )
        )
    try:
        tag_names = parse_tags(_text(data, "tags"))
    except ValueError:
        tag_names = []
    facts = PostFacts(
        title=_text(data, "title"),
        subtitle=_text(data, "subtitle"),
        summary=_text(data, "summary"),
        content=_text(data, "content"),
        slug=_text(data, "slug").strip() or post.slug,
        sections=tuple(sections),
    )
    return _with_links(facts, partial(_own_tag_slugs, tag_names))


POST_TEXT_FIELDS = ("title", "subtitle", "slug", "summary", "content")
SECTION_FORM_FIELDS = ("position", *SECTION_TEXT_FIELDS, "image")


def _shown(value) -> str:
    return "" if value is None else str(value)


def shown_values(form, formset) -> dict[str, str]:
    """The change form's fields as the page shows them (saved values, or the data of a form shown again),
    named as the form sends them: what ``facts_from_form`` reads, with no query (their rows are loaded)."""
    data = {name: _shown(form[name].value()) for name in POST_TEXT_FIELDS if name in form.fields}
    if "tags" in form.fields:
        tags = form["tags"].value()
        data["tags"] = tags if isinstance(tags, str) else edit_string_for_tags(list(tags or []))
    if formset is None:
        return data
    data[f"{SECTION_PREFIX}-TOTAL_FORMS"] = str(len(formset.forms))
    for index, section_form in enumerate(formset.forms):
        prefix = f"{SECTION_PREFIX}-{index}-"
        for name in SECTION_FORM_FIELDS:
            if name in section_form.fields:
                data[prefix + name] = _shown(section_form[name].value())
        data[prefix + "id"] = _shown(section_form.instance.pk)
        if formset.can_delete and section_form.is_bound and section_form["DELETE"].value():
            data[prefix + "DELETE"] = "on"
    return data
