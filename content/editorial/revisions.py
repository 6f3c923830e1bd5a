"""Change tracking for posts with django-reversion: one revision per save, with the post's sections.

A revision stores the post's content fields and every section; this module reads them back
(snapshots, diffs). Optimistic locking lives here too: every content save raises
``Post.version`` with a conditional UPDATE, so a save based on an older version is refused.
Writing (saving, reverting) is ``content.editorial.services``'.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from typing import Any

import reversion
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import F
from reversion.models import Revision, Version

from common.durations import format_duration
from content.models import Post, PostSection

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


def next_version(post_id: int) -> int:
    """Raise the post's version for a change made outside the post form (a revert, an LLM result), so an
    editor's open form based on the older version is refused instead of overwriting it."""
    Post.objects.filter(pk=post_id).update(version=F("version") + 1)
    return Post.objects.values_list("version", flat=True).get(pk=post_id)


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


def _text(value: Any, name: str = "") -> str:
    if value is None:
        return ""
    if name == "duration" and isinstance(value, int):
        return format_duration(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True)
    return str(value)


def _field_changes(old: dict, new: dict, names: list[str]) -> list[FieldChange]:
    changes = []
    for name in names:
        attname = f"{name}_id" if name in ("image", "post") else name
        before, after = _text(old.get(attname), name), _text(new.get(attname), name)
        if before != after:
            lines = [
                (line[0], line[2:])
                for line in difflib.ndiff(before.splitlines() or [""], after.splitlines() or [""])
                if line[0] in "+- "
            ]
            changes.append(FieldChange(name.replace("_", " "), lines))
    return changes


def diff(
    older: Snapshot, newer: Snapshot, *, extra_post_fields: list[str] | None = None
) -> tuple[list[FieldChange], list[SectionChange]]:
    """What changed from ``older`` to ``newer``: post fields, then sections (added, removed, changed)."""
    post_changes = _field_changes(older.post, newer.post, [*POST_FIELDS, *(extra_post_fields or [])])
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
