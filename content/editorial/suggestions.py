"""LLM answers as suggestions: kept with their interaction, decided by an editor, field by field.

A finished LLM task only offers (``offer``): it never writes a post, never raises a version under an
open form. ``accept`` writes the (possibly edited) value through the one save service, so a published
post gets it in its working copy and a draft in its rows, attributed to the editor who accepted it.
"""

from __future__ import annotations

import json

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from common.text import first_control_character
from content.editorial import services, working_copies
from content.models import Post, Suggestion
from media_library.models import Image

# field -> (label, what it lands on, the workflow sub-stage it serves)
FIELDS = {
    "summary": ("Summary", "post", "summary_seo"),
    "title": ("Title", "post", "draft"),
    "post_snippets": ("Social media snippets", "post", "social"),
    "social_media_snippets": ("Social media snippets", "section", "social"),
    "keywords": ("Keywords", "section", "summary_seo"),
    "image_prompt": ("Image prompt", "image", "sections_media"),
    "alt_text": ("Alt text", "image", "sections_media"),
}
MAX_LENGTH = {"summary": 500, "title": 200, "alt_text": 500}


class SuggestionRefused(Exception):
    """The suggestion cannot be accepted or dismissed now; ``str()`` says why, for the editor."""


def offer(post_id: int, section_id: int | None, interaction_id: int, use: str, field: str, value) -> Suggestion:
    return Suggestion.objects.create(
        post_id=post_id, section_id=section_id, interaction_id=interaction_id, use=use, field=field, value=value
    )


def as_text(field: str, value) -> str:
    """The value as the editor edits it in a text box."""
    if field == "keywords" and isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, indent=2, ensure_ascii=False)
    return str(value)


def parse_edited(field: str, text: str):
    """The editor's text as the field's value; refuses what the field cannot hold, naming it."""
    label = FIELDS[field][0]
    if first_control_character(text):
        raise SuggestionRefused(f"{label}: remove the invisible control character from the text.")
    text = text.strip()
    if not text:
        raise SuggestionRefused(f"{label}: the text is empty; dismiss the suggestion instead.")
    if field == "keywords":
        return [word.strip() for word in text.split(",") if word.strip()]
    if field in ("social_media_snippets", "post_snippets"):
        try:
            value = json.loads(text, parse_constant=_no_constant)
        except (ValueError, RecursionError):
            raise SuggestionRefused(f'{label}: write it as a JSON object, such as {{"twitter": "…"}}.') from None
        if not isinstance(value, dict) or not all(isinstance(item, str) for item in value.values()):
            raise SuggestionRefused(f'{label}: a JSON object of texts, such as {{"twitter": "…"}}.')
        return value
    if field in MAX_LENGTH and len(text) > MAX_LENGTH[field]:
        raise SuggestionRefused(f"{label}: at most {MAX_LENGTH[field]} characters (this one has {len(text)}).")
    return text


def _no_constant(name: str):
    raise ValueError(f"{name} is not a JSON value")


def _pending(suggestion_id: int, post_id: int) -> Suggestion:
    suggestion = Suggestion.objects.select_for_update().filter(pk=suggestion_id, post_id=post_id).first()
    if suggestion is None:
        raise SuggestionRefused("This suggestion does not exist (it may belong to another post).")
    if suggestion.status != Suggestion.Status.PENDING:
        raise SuggestionRefused(f"This suggestion was already {suggestion.get_status_display().lower()}.")
    return suggestion


def _decide(suggestion: Suggestion, status: str, user: AbstractBaseUser) -> None:
    suggestion.status, suggestion.decided_by, suggestion.decided_at = status, user, timezone.now()
    suggestion.save(update_fields=["status", "decided_by", "decided_at", "value"])


@transaction.atomic
def dismiss(post_id: int, suggestion_id: int, user: AbstractBaseUser) -> Suggestion:
    suggestion = _pending(suggestion_id, post_id)
    _decide(suggestion, Suggestion.Status.DISMISSED, user)
    return suggestion


@transaction.atomic
def accept(post_id: int, suggestion_id: int, user: AbstractBaseUser, *, text: str | None = None) -> Suggestion:
    """Write the suggestion (``text``: the editor's edited version) into the draft or the working copy."""
    suggestion = _pending(suggestion_id, post_id)
    post = Post.objects.alive().select_for_update(of=("self",)).filter(pk=post_id).first()
    if post is None:
        raise SuggestionRefused("The post no longer exists or is in the trash.")
    value = parse_edited(suggestion.field, text) if text is not None else suggestion.value
    if not isinstance(value, (str, list, dict)) or (suggestion.field == "title" and not isinstance(value, str)):
        raise SuggestionRefused("Pick one of the suggested titles (or write your own) before accepting.")
    label, lands_on, substage = FIELDS[suggestion.field]
    draft = working_copies.load(post, lock=True)
    note = {
        "interaction": suggestion.interaction_id,
        "accepted_by": user.get_username(),
        "at": timezone.now().isoformat(),
    }
    llm = services.LlmNote(substage, suggestion.interaction_id) if suggestion.interaction_id else None
    comment = f"Accepted the LLM's {label.lower()}."
    if lands_on == "post":
        name = "llm_metadata" if suggestion.field == "post_snippets" else suggestion.field
        metadata = {**(draft.post.llm_metadata or {}), suggestion.field: note}
        if suggestion.field == "post_snippets":
            metadata["social_media_snippets"] = {"snippets": value, **note}
        else:
            setattr(draft.post, name, value)
        draft.post.llm_metadata = metadata
        services.save_post(draft.post, user, comment=comment, update_fields=sorted({name, "llm_metadata"}), llm=llm)
    else:
        section = next((s for s in draft.sections if s.pk == suggestion.section_id), None)
        if section is None:
            raise SuggestionRefused("The section this suggestion was for no longer exists.")
        if lands_on == "image" and section.image_id is not None:
            image = Image.objects.select_for_update().get(pk=section.image_id)
            setattr(image, suggestion.field, value)
            image.save(update_fields=[suggestion.field, "updated_at"])
        elif lands_on == "image" and suggestion.field == "alt_text":
            raise SuggestionRefused("The section no longer shows an image to describe.")
        else:
            if lands_on == "image":  # an image prompt for a section without an image yet
                section.section_metadata = {**(section.section_metadata or {}), "image_prompt": {"text": value, **note}}
            else:
                setattr(section, suggestion.field, value)
                section.section_metadata = {**(section.section_metadata or {}), suggestion.field: note}
            changes = services.SectionChanges(saved=[section])
            services.save_post(draft.post, user, comment=comment, sections=changes, update_fields=[], llm=llm)
    suggestion.value = value
    _decide(suggestion, Suggestion.Status.ACCEPTED, user)
    return suggestion
