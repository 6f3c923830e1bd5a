"""Autosaves: an editor's unsaved change form, kept on the server while they type.

Not revisions (no history flood), no version raised, nothing readers see and no cache key
touched (``post_autosave`` raises no post's generation). One row per editor and post; a save or
a discard of the form removes it, and ``purge_autosaves`` removes old ones.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone

from common.text import first_control_character
from content.models import Autosave, Post

MAX_BYTES = 2_000_000  # a post with 200 long sections fits; a flood does not
IGNORED = {"csrfmiddlewaretoken", "_save", "_continue", "_addanother"}


class AutosaveRefused(Exception):
    """The payload cannot be kept; ``str()`` says why."""


def form_data(payload: QueryDict) -> dict[str, list[str]]:
    """The form's fields as name -> values, refusing what PostgreSQL or a sane form would not hold."""
    data = {name: values for name, values in payload.lists() if name not in IGNORED}
    size = sum(len(name) + sum(len(value) for value in values) for name, values in data.items())
    if size > MAX_BYTES:
        raise AutosaveRefused(f"The form is too large to keep ({size:,} characters; at most {MAX_BYTES:,}).")
    if any("\x00" in name or any("\x00" in value for value in values) for name, values in data.items()):
        raise AutosaveRefused("The form holds a NUL character, which cannot be kept.")
    if "title" not in data or "version" not in data:
        raise AutosaveRefused("This is not the post form (no title or version).")
    return data


@transaction.atomic
def keep(post: Post, user: AbstractBaseUser, payload: QueryDict) -> Autosave:
    data = form_data(payload)
    autosave, _ = Autosave.objects.update_or_create(
        post=post, user=user, defaults={"data": data, "saved_at": timezone.now()}
    )
    return autosave


def latest(post: Post, user: AbstractBaseUser) -> Autosave | None:
    return Autosave.objects.filter(post=post, user=user).first()


def forget(post_id: int, user: AbstractBaseUser | None = None) -> int:
    """Remove the autosaves of a post (of one editor, when given): its form was saved or discarded."""
    autosaves = Autosave.objects.filter(post_id=post_id)
    if user is not None:
        autosaves = autosaves.filter(user=user)
    return autosaves.delete()[0]


def purge(older_than: timedelta) -> int:
    return Autosave.objects.filter(saved_at__lt=timezone.now() - older_than).delete()[0]


def as_query_dict(autosave: Autosave) -> QueryDict:
    data = QueryDict(mutable=True)
    for name, values in autosave.data.items():
        data.setlist(name, [value for value in values if isinstance(value, str) and not first_control_character(value)])
    return data


def differences(autosave: Autosave, form, formset) -> list[tuple[str, str, str]]:
    """(field, saved value, autosaved value) for what the autosave would change, sections summed up."""
    rows = []
    for name in ("title", "subtitle", "slug", "summary", "content", "tags"):
        if name not in form.fields:
            continue
        saved = form[name].value()
        saved = ", ".join(tag.name for tag in saved) if name == "tags" and isinstance(saved, list) else saved
        kept = (autosave.data.get(name) or [""])[0]
        if (saved or "") != kept:
            rows.append((form.fields[name].label or name, _short(saved), _short(kept)))
    prefix = formset.prefix
    kept_total = (autosave.data.get(f"{prefix}-TOTAL_FORMS") or ["0"])[0]
    changed = sum(
        1
        for number, section_form in enumerate(formset.forms)
        for field in ("title", "content")
        if (autosave.data.get(f"{prefix}-{number}-{field}") or [None])[0]
        not in (None, section_form[field].value() or "")
    )
    if str(len(formset.forms)) != kept_total or changed:
        rows.append(("Sections", f"{len(formset.forms)} sections", f"{kept_total} sections, {changed} text changes"))
    return rows


def _short(value) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= 80 else text[:79] + "…"
