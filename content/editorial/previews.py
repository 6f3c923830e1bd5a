"""Previews for the editor's desk: a section, or the whole post, as readers would get it, from the
fields the change form holds now. Nothing is read but the images shown, and nothing is written.

Sections are rendered by the readers' own code and templates (``stored_html.render``: the Markdown
sanitized and repaired as on the public page), a whole post by ``content/post_detail.html``. The fields
are checked as the change form checks them (control characters, lengths, URLs, durations), and
everything the form would refuse is a ``PreviewRefused`` naming the field. The request body is read
here, strictly as UTF-8, because Django's own parser replaces bytes it cannot decode.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import unquote_to_bytes

from django import forms
from django.forms.models import fields_for_model
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.text import slugify

from common.forms import MinutesSecondsField
from content import stored_html
from content.editorial.forms import MAX_SECTIONS, GuardedFieldsMixin, marked_for_deletion
from content.models import Post, PostSection, Tag
from content.reading import Reading, reading_time
from content.rendering import assign_anchors
from media_library.models import Image

SECTION_FIELDS = ["content_type", "title", "subtitle", "content", "video_url", "audio_url", "duration", "position"]
POST_FIELDS = ["title", "subtitle", "slug", "summary", "content", "tags"]
# A section without these is not a section the change form sends.
PRESENT_FIELDS = ("content_type", "content")
TOTAL_FORMS = "sections-TOTAL_FORMS"
FORM_ENCODED = "application/x-www-form-urlencoded"
JSON = "application/json"


class PreviewRefused(Exception):
    """Input a preview cannot use; ``field`` names it (None: the request as a whole)."""

    def __init__(self, field: str | None, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def _form_class(name: str, model, fields: list[str], **extra) -> type[forms.Form]:
    """A plain form of the model's own form fields, none required: a preview shows unfinished work."""
    declared = fields_for_model(model, fields=fields, field_classes={"duration": MinutesSecondsField})
    for field in declared.values():
        field.required = False
    return type(name, (GuardedFieldsMixin, forms.Form), {**declared, **extra})


# The image as an id: the images of a whole post are read in one query, not one per section.
SectionPreviewForm = _form_class(
    "SectionPreviewForm", PostSection, SECTION_FIELDS, image=forms.IntegerField(required=False, min_value=1)
)
PostPreviewForm = _form_class("PostPreviewForm", Post, POST_FIELDS)


# --- reading the request ---

_KEY = re.compile(r'"((?:[^"\\]|\\.)*)"\s*:')


def _content_type(header: str, expected: str) -> None:
    kind, _, parameters = (header or "").partition(";")
    if kind.strip().lower() != expected:
        raise PreviewRefused(None, f"Send the fields as {expected}, as the change form's script does.")
    charset = parameters.strip().lower().removeprefix("charset=").strip('"')
    if parameters.strip() and charset not in ("utf-8", "utf8"):
        raise PreviewRefused(None, "Send the fields as UTF-8 text.")


def _not_utf8(field: str | None) -> PreviewRefused:
    name = f"The field “{field}”" if field else "The request"
    return PreviewRefused(field, f"{name} is not UTF-8 text: send it as the page does.")


def _checked_text(field: str, value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise PreviewRefused(field, f"The field “{field}” must be text, not {type(value).__name__}.")
    text = str(value)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise PreviewRefused(field, f"The field “{field}” holds a broken character (a lone surrogate).") from None
    return text


def _last_key(head: bytes) -> str | None:
    """The name of the field a JSON text had reached at its end (where a broken byte was met)."""
    keys = _KEY.findall(head.decode("utf-8", "replace"))
    if not keys:
        return None
    try:
        return _checked_text("", json.loads(f'"{keys[-1]}"'))
    except (ValueError, PreviewRefused):
        return keys[-1]


def json_fields(content_type: str, read: Callable[[], bytes], max_bytes: int) -> dict[str, str]:
    """The fields of a JSON object (what the change form's script sends), each as text, strictly UTF-8.
    ``read`` gives the body, called once the content type is known to be JSON."""
    _content_type(content_type, JSON)
    body = read()
    if len(body) > max_bytes:
        raise too_large(len(body), max_bytes)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise _not_utf8(_last_key(body[: error.start])) from None
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as error:
        where = f" ({error.msg}, at character {error.pos})" if isinstance(error, json.JSONDecodeError) else ""
        raise PreviewRefused(None, f"The request is not a JSON object of fields{where}.") from None
    if not isinstance(data, dict):
        raise PreviewRefused(None, 'The request must be a JSON object of fields, like {"content": "…"}.')
    return {_checked_text("a field name", name): _checked_text(name, value) for name, value in data.items()}


def _decoded(raw: bytes, field: str | None) -> str:
    try:
        return unquote_to_bytes(raw.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        raise _not_utf8(field) from None


def form_fields(content_type: str, read: Callable[[], bytes], max_bytes: int) -> dict[str, str]:
    """The fields of a form-encoded body (the last value of a repeated name), strictly UTF-8."""
    _content_type(content_type, FORM_ENCODED)
    body = read()
    if len(body) > max_bytes:
        raise too_large(len(body), max_bytes)
    fields: dict[str, str] = {}
    for pair in body.split(b"&"):
        if pair:
            raw_name, _, raw_value = pair.partition(b"=")
            name = _decoded(raw_name, None)
            fields[name] = _decoded(raw_value, name)
    return fields


def too_large(size: int, max_bytes: int) -> PreviewRefused:
    # Every field but the texts has a length limit the form checks: only "content" can be this long.
    return PreviewRefused(
        "content",
        f"The text (content) is too long to preview: the request has {size:,} bytes, at most {max_bytes:,} are read.",
    )


def _cleaned(form: forms.Form, present: tuple[str, ...] = ()) -> dict:
    missing = [name for name in present if form.add_prefix(name) not in form.data]
    if missing:
        field = form.add_prefix(missing[0])
        raise PreviewRefused(field, f"The field “{field}” is missing: send every field of the section.")
    if not form.is_valid():
        name, errors = next(iter(form.errors.items()))
        field = form.add_prefix(name) if name != forms.forms.NON_FIELD_ERRORS else None
        label = form.fields[name].label if name in form.fields else None
        raise PreviewRefused(field, f"{(label or name).capitalize()} ({field}): {' '.join(errors)}")
    return form.cleaned_data


# --- sections ---


@dataclass
class SectionPreview:
    section: PostSection
    image_id: int | None
    prefix: str = ""

    @property
    def reading(self) -> Reading:
        return section_reading(self.section)


def section_reading(section: PostSection) -> Reading:
    return reading_time(section.content, plain=(section.title, section.subtitle))


def read_section(data: dict[str, str], prefix: str | None = None) -> SectionPreview:
    values = _cleaned(SectionPreviewForm(data, prefix=prefix), PRESENT_FIELDS)
    image_id = values.pop("image")
    return SectionPreview(PostSection(**values), image_id, prefix or "")


def _show_images(previews: list[SectionPreview]) -> None:
    wanted = {preview.image_id for preview in previews if preview.image_id}
    images = Image.objects.in_bulk(wanted) if wanted else {}
    for preview in previews:
        image = images.get(preview.image_id)
        if image is not None:
            preview.section.image = image


def render_section(preview: SectionPreview) -> SafeString:
    """The section's ``<section>`` element exactly as a reader's page renders it."""
    _show_images([preview])
    preview.section.position = preview.section.position or 1
    assign_anchors([preview.section])
    return stored_html.render(preview.section)


def section_answer(data: dict[str, str]) -> dict:
    preview = read_section(data)
    return {"html": render_section(preview), **preview.reading.as_json()}


# --- a whole post ---


@dataclass
class PostPreview:
    post: Post
    sections: list[SectionPreview]

    @property
    def intro(self) -> Reading:
        return reading_time(self.post.content, plain=(self.post.title, self.post.subtitle))

    def counts(self) -> dict:
        """The post's reading time and each section's, by the prefix of its form."""
        intro, sections = self.intro, {preview.prefix: preview.reading for preview in self.sections}
        total = Reading(intro.words + sum(reading.words for reading in sections.values()))
        return {
            "post": total.as_json(),
            "intro": intro.as_json(),
            "sections": {prefix: reading.as_json() for prefix, reading in sections.items()},
        }


def _section_count(data: dict[str, str]) -> int:
    value = data.get(TOTAL_FORMS)
    if value is None:
        return 0
    try:
        count = int(value)
    except ValueError:
        raise PreviewRefused(TOTAL_FORMS, f"“{TOTAL_FORMS}” must be a whole number of sections.") from None
    if not 0 <= count <= MAX_SECTIONS:
        raise PreviewRefused(TOTAL_FORMS, f"A post can have at most {MAX_SECTIONS} sections.")
    return count


def read_post(data: dict[str, str]) -> PostPreview:
    """The post and its sections as the change form holds them: deleted ones left out, in position order."""
    values = _cleaned(PostPreviewForm(data))
    tags = values.pop("tags") or []
    now = timezone.now()
    post = Post(**values, published=False, created_at=now, updated_at=now)
    post.slug = slugify(post.slug or post.title or "") or "preview"
    post.tag_list = [Tag(name=name, slug=Tag().slugify(name)) for name in sorted(set(tags))]
    sections = []
    for number in range(_section_count(data)):
        prefix = f"sections-{number}"
        if marked_for_deletion(data, prefix):
            continue
        sections.append(read_section(data, prefix))
    # As saving orders them: by position, a section without one last, ties in the form's order (a stable sort).
    sections.sort(key=lambda preview: math.inf if preview.section.position is None else preview.section.position)
    for number, preview in enumerate(sections, start=1):
        preview.section.position = number
    return PostPreview(post, sections)


def page_post(preview: PostPreview) -> Post:
    """The post ready for ``content.site.post_page.context``: sections with their images, nothing stored."""
    _show_images(preview.sections)
    post = preview.post
    post.section_list = [section_preview.section for section_preview in preview.sections]
    post.stored_html, post.stored_intro = {}, None
    return post
