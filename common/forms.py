"""Form pieces shared by the apps' admin forms."""

import html
import json
import math

from django import forms
from django.core.exceptions import ValidationError
from django.forms.fields import InvalidJSONInput, JSONString
from django.forms.renderers import DjangoTemplates, Jinja2
from django.template import TemplateDoesNotExist
from django.utils.functional import Promise, cached_property

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


def escaped(value) -> str:
    """``conditional_escape`` without its per-call overhead, for code that escapes thousands of values a page."""
    if isinstance(value, Promise):
        value = str(value)
    return value.__html__() if hasattr(value, "__html__") else html.escape(str(value))


def _attributes(attrs: dict) -> str:
    """``django/forms/attrs.html``: `` name="value"`` for each attribute, `` name`` for True, nothing for False."""
    return "".join(
        f" {escaped(name)}" if value is True else f' {escaped(name)}="{escaped(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _input(context: dict) -> str:
    widget = context["widget"]
    value = "" if widget["value"] is None else f' value="{escaped(widget["value"])}"'
    attributes = _attributes(widget["attrs"])
    return f'<input type="{escaped(widget["type"])}" name="{escaped(widget["name"])}"{value}{attributes}>'


def _label(context: dict) -> str:
    if not context["use_tag"]:
        return escaped(context["label"])
    tag = escaped(context["tag"])
    return f"<{tag}{_attributes(context['attrs'])}>{escaped(context['label'])}</{tag}>"


# Django's templates that are one <input> (or a label) and are rendered most, made in Python: the same
# markup (content/tests/editorial/test_inline_rendering.py compares it with Django's templates).
IN_PYTHON = {
    **{
        f"django/forms/widgets/{kind}.html": _input
        for kind in ("text", "number", "url", "hidden", "email", "search", "tel", "password", "checkbox")
    },
    "django/forms/label.html": _label,
}


class FastFormRenderer(DjangoTemplates):
    """A form renderer for pages with hundreds of fields (a post's change page with 50 sections has about 750
    widgets and as many labels and error lists): the simplest and most frequent of Django's form templates
    (an <input>, a label) are made in Python, an empty error list renders nothing, Django's other form
    templates go through their Jinja2 twins (which Django ships and tests to give the same markup, at a
    third of the time), and any other template (the admin's widgets, ours) through the template engine,
    as Django's default renderer does (README, "Performance").
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
            return IN_PYTHON[template_name](context)
        if template_name.startswith("django/forms/errors/") and not context.get("errors"):
            return ""
        return super().render(template_name, context, request)
