"""Form pieces shared by the apps' admin forms."""

import html
import json
import math

from django import forms
from django.core.exceptions import ValidationError
from django.forms.fields import InvalidJSONInput, JSONString
from django.forms.renderers import DjangoTemplates, Jinja2
from django.template import Context, TemplateDoesNotExist
from django.template.base import render_value_in_context
from django.utils.functional import Promise, cached_property
from django.utils.safestring import SafeData

from common.durations import format_duration, parse_duration
from common.text import first_control_character

MAX_DEPTH = 64  # deeper JSON is no editor's and only costs recursion further on (revisions, diffs)


def _invalid(message: str, **params) -> ValidationError:
    return ValidationError(message, code="invalid", params=params)


def _no_constant(name: str):
    raise ValueError(name)


def check_storable(value) -> None:
    """Refuse what PostgreSQL's jsonb cannot hold or what would break later readers, naming the problem."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise _invalid("The JSON is nested more than %(limit)s levels deep.", limit=MAX_DEPTH)
        if isinstance(item, float) and not math.isfinite(item):
            raise _invalid("The JSON holds a number too large to store (%(value)s); write a smaller one.", value=item)
        texts = [item] if isinstance(item, str) else list(item) if isinstance(item, dict) else []
        for text in texts:
            if "\x00" in text:
                raise _invalid("The JSON holds a NUL character (\\u0000), which cannot be stored.")
            try:
                text.encode("utf-8")
            except UnicodeEncodeError:
                raise _invalid("The JSON holds a broken character (a lone surrogate such as \\ud800).") from None
        if isinstance(item, dict):
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)


def refuse_control_characters(value: str) -> None:
    """Text with a control character (other than tab and line breaks) breaks feeds and valid HTML."""
    found = first_control_character(value)
    if found:
        raise forms.ValidationError(
            "Remove the invisible control character (U+%(code)04X) from this text.",
            code="control_character",
            params={"code": ord(found)},
        )


class ReadableJSONField(forms.JSONField):
    """A JSON form field whose error says where the JSON is broken, not just that it is, that refuses
    what PostgreSQL cannot store (NaN, Infinity, NUL, lone surrogates, absurd nesting), and that shows
    an empty box (not ``null``) for a column without a value."""

    def prepare_value(self, value):
        return "" if value is None else super().prepare_value(value)

    def bound_data(self, data, initial):
        """A refused value is shown again as the editor typed it (re-encoded, a lone surrogate could not be sent)."""
        if self.disabled or data is None:
            return super().bound_data(data, initial)
        try:
            check_storable(json.loads(data, cls=self.decoder, parse_constant=_no_constant))
        except (ValueError, RecursionError, ValidationError):
            return InvalidJSONInput(data)
        return super().bound_data(data, initial)

    def to_python(self, value):
        if self.disabled or value in self.empty_values or isinstance(value, (list, dict, int, float)):
            return super().to_python(value)
        try:
            parsed = json.loads(value, cls=self.decoder, parse_constant=_no_constant)
        except json.JSONDecodeError as error:
            raise _invalid(
                "Invalid JSON: %(reason)s at line %(line)s, column %(column)s.",
                reason=error.msg,
                line=error.lineno,
                column=error.colno,
            ) from None
        except ValueError as error:
            raise _invalid("JSON has no %(name)s: write a number or null.", name=str(error)) from None
        except RecursionError:
            raise _invalid("The JSON is nested more than %(limit)s levels deep.", limit=MAX_DEPTH) from None
        check_storable(parsed)
        return JSONString(parsed) if isinstance(parsed, str) else parsed


class MinutesSecondsField(forms.IntegerField):
    """Whole seconds, typed and shown as m:ss (or h:mm:ss); plain seconds are accepted too."""

    widget = forms.TextInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 0)
        widget = kwargs.get("widget")
        widget_class = widget if isinstance(widget, type) else type(widget)
        if widget is None or issubclass(widget_class, forms.NumberInput):
            kwargs["widget"] = forms.TextInput  # the admin gives integers a number input, which refuses "3:25"
        super().__init__(*args, **kwargs)

    def widget_attrs(self, widget):
        # IntegerField's min/max/step attributes belong to number inputs; this one takes text like 3:25.
        return {"inputmode": "numeric", "placeholder": "m:ss", "size": "9"}

    def prepare_value(self, value):
        return format_duration(value) if isinstance(value, int) and not isinstance(value, bool) else value

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, int):
            return value
        seconds = parse_duration(str(value))
        if seconds is None:
            raise ValidationError(
                "Write the duration as minutes and seconds, like 3:25 (or 1:02:03 with hours).", code="invalid"
            )
        return seconds


_escape = html.escape  # django.utils.html.escape's own, without its lazy-string wrapper


def escaped(value) -> str:
    """``conditional_escape`` without its per-call overhead, for code that escapes thousands of values a page."""
    if type(value) is str:
        return _escape(value)
    if isinstance(value, Promise):
        value = str(value)
    return value.__html__() if hasattr(value, "__html__") else _escape(str(value))


class Unusual(Exception):
    """A form template's context that the Python twin does not make exactly as Django's template would: the
    template renders it instead."""


_TEMPLATE_CONTEXT = Context()  # what a form template's {{ variable }} is shown in: autoescaping, localized


def _string_shown(value) -> str | None:
    """A string as a template shows it (escaped unless it is safe), None for any other value."""
    if type(value) is str:
        return _escape(value)
    if isinstance(value, str):
        return value if isinstance(value, SafeData) else _escape(value)
    if callable(value):
        raise Unusual  # the template would call it
    return None


def _shown(value) -> str:
    """``{{ value }}`` in Django's templates: localized (numbers, dates), then escaped unless it is safe."""
    shown = _string_shown(value)
    return render_value_in_context(value, _TEMPLATE_CONTEXT) if shown is None else shown


def _formatted(value) -> str:
    """``{{ value|stringformat:'s' }}`` in Django's templates: ``str(value)``, escaped unless it is safe."""
    shown = _string_shown(value)
    if shown is not None:
        return shown
    text = str(value)
    return text if isinstance(value, SafeData) else _escape(text)


def _attributes(attrs: dict) -> str:
    """``django/forms/attrs.html``: `` name="value"`` for each attribute, `` name`` for True, nothing for False.
    A loop with plain strings taken first: some 1,700 calls a change page."""
    out = ""
    for name, value in attrs.items():
        if value is True:
            out += f" {_escape(name) if type(name) is str else _shown(name)}"
        elif value is not False:
            shown = _escape(value) if type(value) is str else _formatted(value)
            out += f' {_escape(name) if type(name) is str else _shown(name)}="{shown}"'
    return out


def _input(context: dict) -> str:
    """``django/forms/widgets/input.html`` (and the templates that are only it: text.html, hidden.html, …)."""
    widget = context["widget"]
    value = "" if widget["value"] is None else f' value="{_formatted(widget["value"])}"'
    attributes = _attributes(widget["attrs"])
    return f'<input type="{_shown(widget["type"])}" name="{_shown(widget["name"])}"{value}{attributes}>'


def _textarea(context: dict) -> str:
    widget = context["widget"]
    value = _shown(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{_shown(widget["name"])}"{_attributes(widget["attrs"])}>\n{value}</textarea>'


SELECT_OPTION = "django/forms/widgets/select_option.html"


def _select(context: dict) -> str:
    """``select.html`` with its ``select_option.html`` per choice, the line breaks and indents included."""
    widget = context["widget"]
    parts = [f'<select name="{_shown(widget["name"])}"{_attributes(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_shown(group_name)}">')
        for option in group_choices:
            if option["template_name"] != SELECT_OPTION:
                raise Unusual
            parts.append(
                f'\n  <option value="{_formatted(option["value"])}"{_attributes(option["attrs"])}>'
                f"{_shown(option['label'])}</option>\n"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def _admin_url(context: dict) -> str:
    """The admin's ``admin/widgets/url.html``: the link to the current URL, then the input."""
    widget = context["widget"]
    field = _input(context) + "\n"  # included input.html ends with a line break
    if not context.get("url_valid"):
        return field.strip()
    return (
        f'<p class="url">{_shown(context.get("current_label", ""))} <a href="{_shown(widget.get("href", ""))}">'
        f"{_shown(widget['value'])}</a><br>{_shown(context.get('change_label', ''))} {field}</p>"
    )


def _admin_raw_id(context: dict) -> str:
    """The admin's ``admin/widgets/foreign_key_raw_id.html``: the input, the lookup link, the chosen object."""
    widget = context["widget"]
    related_url, link_label = context.get("related_url"), context.get("link_label")
    parts = ["<div>" if related_url else "", _input(context), "\n"]
    if related_url:
        parts.append(
            f'<a href="{_shown(related_url)}" class="related-lookup" id="lookup_id_{_shown(widget["name"])}" '
            f'title="{_shown(context.get("link_title", ""))}"></a>'
        )
    if link_label:
        link_url = context.get("link_url")
        label = f'<a href="{_shown(link_url)}">{_shown(link_label)}</a>' if link_url else _shown(link_label)
        parts.append(f"\n<strong>{label}</strong>")
    parts.append("</div>" if related_url else "")
    return "".join(parts).strip()


def _label(context: dict) -> str:
    """``django/forms/label.html``."""
    if not context["use_tag"]:
        return _shown(context["label"]).strip()  # the renderer strips what a template makes
    tag = _shown(context["tag"])
    return f"<{tag}{_attributes(context['attrs'] or {})}>{_shown(context['label'])}</{tag}>"


# Django's form templates that a change page renders most, made in Python: the same markup, byte for byte
# (content/tests/editorial/test_inline_rendering.py compares each with Django's template). Each takes the
# context Django's widget (or form) made for its template; what a twin does not make exactly as the template
# would (``Unusual``) goes to the template.
IN_PYTHON = {
    **{
        f"django/forms/widgets/{kind}.html": _input
        for kind in ("text", "number", "url", "hidden", "email", "search", "tel", "password", "checkbox")
    },
    "django/forms/widgets/textarea.html": _textarea,
    "django/forms/widgets/select.html": _select,
    "admin/widgets/url.html": _admin_url,
    "admin/widgets/foreign_key_raw_id.html": _admin_raw_id,
    "django/forms/label.html": _label,
}


class FastFormRenderer(DjangoTemplates):
    """A form renderer for pages with hundreds of fields (a post's change page with 50 sections has about 750
    widgets and as many labels and error lists): the form templates such a page renders most (an <input>, a
    <textarea>, a <select> with its options, the admin's URL and raw-id widgets, a label) are made in Python
    (``IN_PYTHON``, the same bytes as Django's templates), an empty error list renders nothing, Django's other
    form templates go through their Jinja2 twins (which Django ships and tests to give the same markup, at a
    third of the time), and any other template (ours, other admin widgets) through the template engine, as
    Django's default renderer does (README, "Performance").
    """

    @cached_property
    def jinja2(self) -> Jinja2:
        return Jinja2()

    @cached_property
    def _in_jinja2(self) -> dict[str, bool]:
        return {}  # per template name: Jinja2 does not remember the templates it lacks, and looks again

    def get_template(self, template_name):
        if template_name not in self._in_jinja2:
            try:
                self.jinja2.get_template(template_name)
                self._in_jinja2[template_name] = True
            except TemplateDoesNotExist:
                self._in_jinja2[template_name] = False
        if self._in_jinja2[template_name]:
            return self.jinja2.get_template(template_name)
        return super().get_template(template_name)

    def render(self, template_name, context, request=None):
        if template_name in IN_PYTHON:
            try:
                return IN_PYTHON[template_name](context)
            except Unusual:
                return DjangoTemplates.get_template(self, template_name).render(context, request=request).strip()
        if template_name.startswith("django/forms/errors/") and not context.get("errors"):
            return ""
        return super().render(template_name, context, request)
