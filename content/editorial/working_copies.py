"""Working copies: how a published post's unpublished changes are kept, read back and compared.

A published post's rows are what readers see. Saving it (the admin, a revert, an accepted LLM
suggestion) keeps the new fields, sections and tags here instead, in one ``WorkingCopy`` row that
no reader's page reads and no cache key depends on. ``content.editorial.publishing`` applies it
to the live rows. Sections not yet live have no id: they are kept in order with their fields.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from content.editorial import revisions
from content.models import Post, PostSection, Tag, WorkingCopy
from media_library.models import Image

# What a working copy keeps of the post itself: the content fields and who is named as its author.
POST_FIELDS = [*revisions.POST_FIELDS, "author_id"]
SECTION_ATTNAMES = [
    f"{name}_id" if name in ("image", "post") else name for name in revisions.SECTION_FIELDS if name != "post"
]


def is_published(post: Post) -> bool:
    """Whether saving the post goes to a working copy (a published post's rows change only by publishing)."""
    return bool(post.pk) and bool(post.published) and post.deleted_at is None


def section_data(section: PostSection) -> dict:
    return {"id": section.pk, **{name: getattr(section, name) for name in SECTION_ATTNAMES}}


def section_from(post: Post, data: dict, live: PostSection | None = None) -> PostSection:
    """A section as the working copy holds it: its live row (keeping what the copy does not, such as
    ``created_at``) with the copy's fields, or a new one."""
    section = live or PostSection(pk=data.get("id"), post=post)
    for name in SECTION_ATTNAMES:
        setattr(section, name, data.get(name))
    return section


@dataclass
class Draft:
    """A published post as its editors see it: the working copy's content where there is one."""

    post: Post
    sections: list[PostSection]
    tags: list[str]
    working_copy: WorkingCopy | None

    @property
    def version(self) -> int:
        return self.working_copy.version if self.working_copy else self.post.version


def overlay(post: Post, working_copy: WorkingCopy | None) -> Draft:
    """The post with the working copy's fields set on it (in memory), its sections and tag names."""
    if working_copy is None:
        sections = list(post.sections.order_by("position"))
        return Draft(post, sections, sorted(post.tags.names()), None)
    for name in POST_FIELDS:
        if name in working_copy.fields:
            setattr(post, name, working_copy.fields[name])
    post.version = working_copy.version
    live = PostSection.objects.in_bulk([data["id"] for data in working_copy.sections if data.get("id")])
    sections = [section_from(post, data, live.get(data.get("id"))) for data in working_copy.sections]
    return Draft(post, sections, list(working_copy.tags), working_copy)


def load(post: Post, *, lock: bool = False) -> Draft:
    copies = WorkingCopy.objects.filter(post=post)
    if lock:
        copies = copies.select_for_update()
    return overlay(post, copies.first())


def merged_sections(base: list[PostSection], saved, deleted, placed, *, complete: bool) -> list[PostSection]:
    """``base`` with the saved and deleted sections applied, renumbered 1..n (placed ones before an
    untouched one at the same position). ``complete``: ``saved`` holds every section not yet live."""
    deleted_ids = {section.pk for section in deleted if section.pk is not None}
    by_id = {section.pk: section for section in base if section.pk is not None}
    for section in saved:
        if section.pk is not None:
            by_id[section.pk] = section
    not_live = [section for section in saved if section.pk is None]
    if not complete:
        not_live = [section for section in base if section.pk is None] + not_live
    sections = [section for pk, section in by_id.items() if pk not in deleted_ids] + not_live
    placed_ids = {id(section) for section in placed}
    order = {id(section): number for number, section in enumerate(sections)}
    sections.sort(key=lambda s: (s.position or 0, id(s) not in placed_ids, order[id(s)]))
    for number, section in enumerate(sections, start=1):
        section.position = number
    return sections


def store(
    draft: Draft,
    user: AbstractBaseUser | None,
    *,
    sections: list[PostSection],
    tags: Iterable[str] | None,
    comment: str,
) -> WorkingCopy:
    """Write the draft's fields, ``sections`` and ``tags`` as the post's working copy, one version on."""
    post = draft.post
    copy = draft.working_copy or WorkingCopy(post=post, version=post.version)
    copy.fields = {name: getattr(post, name) for name in POST_FIELDS}
    copy.sections = [section_data(section) for section in sections]
    copy.tags = sorted(set(tags if tags is not None else draft.tags))
    copy.version += 1
    copy.stage = WorkingCopy.Stage.EDITING  # changed after a review: reviewed again
    copy.updated_at = timezone.now()
    name = user.get_username() if user is not None and user.is_authenticated else "LLM or system"
    user_id = user.pk if user is not None and user.is_authenticated else None
    copy.edits = [*copy.edits, {"user": user_id, "name": name, "at": copy.updated_at.isoformat(), "comment": comment}]
    copy.save()
    return copy


def live_snapshot(post: Post) -> revisions.Snapshot:
    live = Post.objects.get(pk=post.pk)
    fields = {name: getattr(live, name) for name in POST_FIELDS}
    sections = {section.pk: section_data(section) for section in live.sections.all()}
    return revisions.Snapshot({**fields, "tags": ", ".join(sorted(live.tags.names()))}, sections)


def draft_snapshot(draft: Draft) -> revisions.Snapshot:
    fields = {name: getattr(draft.post, name) for name in POST_FIELDS}
    # Sections not yet live get negative keys, so they show as added.
    sections = {section.pk or -number: section_data(section) for number, section in enumerate(draft.sections, start=1)}
    return revisions.Snapshot({**fields, "tags": ", ".join(sorted(draft.tags))}, sections)


def changes_since_live(draft: Draft):
    """What publishing the draft would change: (post field changes, section changes), as revisions.diff."""
    return revisions.diff(live_snapshot(draft.post), draft_snapshot(draft), extra_post_fields=["tags"])


def preview_post(draft: Draft) -> Post:
    """The draft as a post page shows it: sections with their images, tags as unsaved rows (no stored HTML)."""
    post = draft.post
    images = Image.objects.in_bulk([section.image_id for section in draft.sections if section.image_id])
    for section in draft.sections:
        section.image = images.get(section.image_id)
    post.section_list = draft.sections
    post.tag_list = [Tag(name=name, slug=Tag().slugify(name)) for name in draft.tags]
    post.stored_html, post.stored_intro = {}, None
    return post
