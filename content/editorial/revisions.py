"""Change tracking for posts with django-reversion: one revision per save, with the post's sections.

A revision stores the post's content fields and every section. Reverting restores those
(sections added since are deleted, removed ones come back) but never the workflow state or
the publication state: going back to an older text does not unpublish or re-approve a post.
Optimistic locking lives here too: every content save raises ``Post.version`` with a
conditional UPDATE, so a save based on an older version is refused.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from typing import Any

import reversion
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F
from reversion.models import Revision, Version

from content import stored_html
from content.models import Post, PostSection, WorkflowTransition
from media_library.models import Image

POST_FIELDS = ["title", "subtitle", "slug", "content", "summary", "llm_metadata"]
SECTION_FIELDS = [
    field.name
    for field in PostSection._meta.concrete_fields
    if field.editable and field.name not in ("id", "created_at", "updated_at")
]

reversion.register(Post, fields=[*POST_FIELDS, "version"], follow=["sections"])
reversion.register(PostSection, fields=SECTION_FIELDS)


class StaleVersion(Exception):
    """The post was saved by someone else since the editor loaded it."""


class RevertRefused(Exception):
    """The revision cannot be restored onto this post; ``str()`` says why."""


def claim_version(post_id: int, expected: int) -> int:
    """Raise the post's version from ``expected`` to the next one, or refuse when it moved on."""
    if not Post.objects.filter(pk=post_id, version=expected).update(version=F("version") + 1):
        raise StaleVersion(f"Post {post_id} is no longer at version {expected}.")
    return expected + 1


def bump_version(post_id: int) -> None:
    """Mark a change made outside the post form, so an editor's open form is refused instead of overwriting it."""
    Post.objects.filter(pk=post_id).update(version=F("version") + 1)


def record_revision(post: Post, user: AbstractBaseUser | None, comment: str) -> None:
    """Store the post and its sections as they are now in the database, as one revision."""
    with reversion.create_revision(atomic=True):
        if user is not None and user.is_authenticated:
            reversion.set_user(user)
        reversion.set_comment(comment)
        reversion.add_to_revision(post)


def post_versions(post: Post):
    """The post's own versions, newest first, each with its revision and author."""
    return Version.objects.get_for_object(post).select_related("revision__user").order_by("-revision__date_created")


def latest_revision(post: Post) -> Revision | None:
    version = post_versions(post).first()
    return version.revision if version else None


@dataclass
class Snapshot:
    post: dict[str, Any]
    sections: dict[int, dict[str, Any]]  # by section id


def snapshot(revision: Revision, post: Post) -> Snapshot:
    """The post and its sections as stored in ``revision``; refuses a revision of another post."""
    post_data, sections = None, {}
    for version in revision.version_set.all():
        if version._model is Post and version.object_id == str(post.pk):
            post_data = version.field_dict
        elif version._model is PostSection:
            data = version.field_dict
            if data.get("post_id") == post.pk:
                sections[int(version.object_id)] = data
    if post_data is None:
        raise RevertRefused(f"Revision {revision.pk} is not a revision of “{post}”.")
    return Snapshot(post_data, sections)


def revision_of(post: Post, revision_id: Any) -> Revision:
    try:
        revision = Revision.objects.get(pk=int(revision_id))
    except (Revision.DoesNotExist, ValueError, TypeError):
        raise RevertRefused(f"There is no revision {revision_id!r}.") from None
    snapshot(revision, post)  # raises when it is not this post's
    return revision


@dataclass
class FieldChange:
    label: str
    lines: list[tuple[str, str]]  # (kind, text): kind is "+", "-" or " "


@dataclass
class SectionChange:
    label: str
    kind: str  # "added", "removed", "changed"
    fields: list[FieldChange] = field(default_factory=list)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True)
    return str(value)


def _field_changes(old: dict, new: dict, names: list[str]) -> list[FieldChange]:
    changes = []
    for name in names:
        attname = f"{name}_id" if name in ("image", "post") else name
        before, after = _text(old.get(attname)), _text(new.get(attname))
        if before != after:
            lines = [
                (line[0], line[2:])
                for line in difflib.ndiff(before.splitlines() or [""], after.splitlines() or [""])
                if line[0] in "+- "
            ]
            changes.append(FieldChange(name.replace("_", " "), lines))
    return changes


def diff(older: Snapshot, newer: Snapshot) -> tuple[list[FieldChange], list[SectionChange]]:
    """What changed from ``older`` to ``newer``: post fields, then sections (added, removed, changed)."""
    post_changes = _field_changes(older.post, newer.post, POST_FIELDS)
    section_fields = [name for name in SECTION_FIELDS if name != "post"]
    section_changes = []
    ordered = sorted(
        set(older.sections) | set(newer.sections),
        key=lambda pk: (newer.sections.get(pk) or older.sections[pk])["position"],
    )
    for pk in ordered:
        before, after = older.sections.get(pk), newer.sections.get(pk)
        data = after or before
        label = f"Section {data['position']}" + (f" “{data['title']}”" if data.get("title") else "")
        if before is None:
            section_changes.append(SectionChange(label, "added", _field_changes({}, after, section_fields)))
        elif after is None:
            section_changes.append(SectionChange(label, "removed", _field_changes(before, {}, section_fields)))
        else:
            fields = _field_changes(before, after, section_fields)
            if fields:
                section_changes.append(SectionChange(label, "changed", fields))
    return post_changes, section_changes


def revert(post_id: int, revision_id: Any, user: AbstractBaseUser) -> Post:
    """Restore the post's content and sections from a revision, as a new revision; one transaction."""
    with transaction.atomic():
        try:
            post = Post.objects.alive().select_for_update(of=("self",)).get(pk=post_id)
        except Post.DoesNotExist:
            raise RevertRefused("This post does not exist or is in the trash.") from None
        revision = revision_of(post, revision_id)
        stored = snapshot(revision, post)
        for name in POST_FIELDS:
            setattr(post, name, stored.post.get(name))
        if Post.objects.filter(slug=post.slug).exclude(pk=post.pk).exists():
            post.slug = Post.objects.values_list("slug", flat=True).get(pk=post.pk)
        post.version += 1
        post.save(update_fields=[*POST_FIELDS, "version", "updated_at"])
        _restore_sections(post, stored.sections)
        stored_html.store_for_posts([post.pk])
        WorkflowTransition.objects.create(
            post=post,
            user=user,
            action="revert",
            from_stage=post.workflow_stage,
            to_stage=post.workflow_stage,
            note=f"Reverted to revision {revision.pk} of {revision.date_created:%Y-%m-%d %H:%M}.",
        )
        record_revision(post, user, f"Reverted to revision {revision.pk}.")
    return post


def _restore_sections(post: Post, stored: dict[int, dict[str, Any]]) -> None:
    PostSection.objects.filter(post=post).exclude(pk__in=stored).delete()
    image_ids = {data["image_id"] for data in stored.values() if data.get("image_id")}
    existing_images = set(Image.objects.filter(pk__in=image_ids).values_list("pk", flat=True))
    current = PostSection.objects.in_bulk(list(stored))
    for pk, data in stored.items():
        section = current.get(pk) or PostSection(pk=pk, post=post)
        for name in SECTION_FIELDS:
            if name not in ("post", "image"):
                setattr(section, name, data.get(name))
        section.image_id = data.get("image_id") if data.get("image_id") in existing_images else None
        section.save()
