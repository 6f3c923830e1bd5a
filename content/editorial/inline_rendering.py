"""A stacked inline's forms rendered in Python: what ``admin/edit_inline/stacked.html`` and
``admin/includes/fieldset.html`` make, without the template engine's cost.

A post of 50 sections is 51 forms (the empty one for "Add another") of about 15 fields: through those
two templates the engine spent about 5 ms a form on the markup around the widgets, most of the change
page's time (see "Performance" in README). The markup is the same, element for element
(content/tests/editorial/test_inline_rendering.py compares it with Django's own templates): when Django
changes those templates, that test says so, and this module follows them.
"""

from __future__ import annotations

from django.contrib.admin.helpers import AdminField, AdminReadonlyField, InlineAdminFormSet
from django.forms.boundfield import BoundField
from django.forms.utils import RenderableMixin
from django.template.defaultfilters import capfirst
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from common.forms import escaped as _e

FIELDSET_HEADING_LEVEL = 4  # what stacked.html passes to fieldset.html


def stacked_inline(inline_admin_formset: InlineAdminFormSet) -> SafeString:
    formset = inline_admin_formset.formset
    opts = inline_admin_formset.opts
    prefix = _e(formset.prefix)
    collapsible = inline_admin_formset.is_collapsible
    heading = capfirst(opts.verbose_name if formset.max_num == 1 else opts.verbose_name_plural)
    parts = [
        f'<div class="js-inline-admin-formset inline-group" id="{prefix}-group" data-inline-type="stacked" '
        f'data-inline-formset="{_e(inline_admin_formset.inline_formset_data())}">\n'
        f'<fieldset class="module {_e(inline_admin_formset.classes)}" aria-labelledby="{prefix}-heading">\n',
        "<details><summary>" if collapsible else "",
        f'<h2 id="{prefix}-heading" class="inline-heading">{_e(heading)}</h2>\n',
        "</summary>" if collapsible else "",
        _e(formset.management_form),
        "\n",
        _e(formset.non_form_errors()),
        "\n",
    ]
    forms = list(inline_admin_formset)
    adds = inline_admin_formset.has_add_permission
    punctuation = gettext(":?.!")  # what ends a label that gets no suffix (BoundField.label_tag), once a page
    for index, inline_admin_form in enumerate(forms):
        last = index == len(forms) - 1
        _form(parts, inline_admin_formset, inline_admin_form, index, punctuation, empty=adds and last)
    parts.append("</details>" if collapsible else "")
    parts.append("</fieldset>\n</div>\n")
    return mark_safe("".join(parts))


def _form(parts: list[str], inline_admin_formset, inline_admin_form, index: int, punctuation: str, *, empty: bool):
    formset, opts = inline_admin_formset.formset, inline_admin_formset.opts
    prefix = _e(formset.prefix)
    original = inline_admin_form.original
    classes = "inline-related"
    if original or inline_admin_form.show_url:
        classes += " has_original"
    if empty:
        classes += " empty-form last-related"
    parts.append(
        f'<div class="{classes}" id="{prefix}-{"empty" if empty else index}">\n'
        f'<h3><b>{_e(capfirst(opts.verbose_name))}:</b> <span class="inline_label">'
    )
    if original:
        parts.append(_e(original))
        model_admin = inline_admin_form.model_admin
        if model_admin.show_change_link and model_admin.has_registered_model:
            meta = model_admin.opts
            url = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[original.pk])
            changes = inline_admin_formset.has_change_permission
            link = ("inlinechangelink", gettext("Change")) if changes else ("inlineviewlink", gettext("View"))
            parts.append(f' <a href="{_e(url)}" class="{link[0]}">{_e(link[1])}</a>')
        parts.append("\n")
    else:
        parts.append(f"#{index + 1}")
    parts.append("</span>\n")
    if inline_admin_form.show_url:
        parts.append(f'<a href="{_e(inline_admin_form.absolute_url)}">{_e(gettext("View on site"))}</a>')
    if formset.can_delete and inline_admin_formset.has_delete_permission and original:
        deletion = inline_admin_form.deletion_field()
        parts.append(f'<span class="delete">{_e(deletion.field)} {_e(_label_tag(deletion, punctuation))}</span>')
    parts.append("\n</h3>\n")
    form = inline_admin_form.form
    # Without errors (a form not sent, or sent without any), every error list of the form is empty: none is asked
    # for, each would render nothing.
    fine = not form.errors
    if not fine and form.non_field_errors():
        parts.append(_e(form.non_field_errors()))
    for number, fieldset in enumerate(inline_admin_form):
        _fieldset(parts, fieldset, f"{prefix}-{index}-{number}-heading", punctuation, fine)
    if inline_admin_form.needs_explicit_pk_field():
        parts.append(_e(inline_admin_form.pk_field().field))
    fk_field = inline_admin_form.fk_field()
    if fk_field:
        parts.append(_e(fk_field.field))
    parts.append("\n</div>")


def _fieldset(parts: list[str], fieldset, heading_id: str, punctuation: str, fine: bool) -> None:
    collapsible = bool(fieldset.name) and fieldset.is_collapsible
    parts.append(f'<fieldset class="module aligned {_e(fieldset.classes)}"')
    if fieldset.name:
        level = FIELDSET_HEADING_LEVEL
        parts.append(f' aria-labelledby="{heading_id}">\n')
        parts.append("<details><summary>" if collapsible else "")
        parts.append(f'<h{level} id="{heading_id}" class="fieldset-heading">{_e(fieldset.name)}</h{level}>\n')
        parts.append("</summary>" if collapsible else "")
    else:
        parts.append(">\n")
    if fieldset.description:
        parts.append(f'<div class="description">{fieldset.description}</div>\n')  # |safe in the template
    for line in fieldset:
        _line(parts, line, punctuation, fine)
    parts.append("</details>" if collapsible else "")
    parts.append("</fieldset>\n")


def _name(field) -> str:
    return field.field["name"] if isinstance(field, AdminReadonlyField) else field.field.name


def _line(parts: list[str], line, punctuation: str, fine: bool) -> None:
    fields = list(line)
    single = len(line.fields) == 1
    classes = "form-row"
    if not single:
        classes += " flex-container form-multiline"
    if not line.has_visible_field:
        classes += " hidden"
    classes += "".join(f" field-{_e(_name(field))}" for field in fields if _name(field))
    parts.append(f'<div class="{classes}">\n')
    line_errors = _e(line.errors()) if single and not fine else ""
    for field in fields:
        _field(parts, field, single, line_errors, punctuation, fine)
    parts.append("</div>\n")


def _field(parts: list[str], field, single: bool, line_errors: str, punctuation: str, fine: bool) -> None:
    readonly = isinstance(field, AdminReadonlyField)
    if readonly:
        shown = field.field  # a dict that looks a little like a bound field
        name, help_text, hidden, id_for_label, errors = shown["name"], shown["help_text"], shown["is_hidden"], "", ""
    else:
        bound = field.field
        name, help_text, hidden, id_for_label = bound.name, bound.help_text, bound.is_hidden, bound.id_for_label
        errors = "" if fine else _e(field.errors())
    is_fieldset = getattr(field, "is_fieldset", False)
    if is_fieldset:
        described = f' aria-describedby="{_e(id_for_label)}_helptext"' if help_text else ""
        parts.append(f"<fieldset{described}>{_e(_label_tag(field, punctuation))}")
    classes = "flex-container"
    if errors or (single and line_errors):
        classes += " errors"
    if not single:
        classes += f" fieldBox field-{_e(name)}" if name else " fieldBox"
        if hidden:
            classes += " hidden"
    if field.is_checkbox:
        classes += " checkbox-row"
    parts.append(f'<div class="{classes}">\n')
    label = "" if is_fieldset else _e(_label_tag(field, punctuation))
    if field.is_checkbox:
        parts.append(f'<div class="checkbox">\n{_e(field.field)}\n{label}\n</div>\n')
    else:
        parts.append(label)
    if help_text:
        help_id = f' id="{_e(id_for_label)}_helptext"' if id_for_label else ""
        parts.append(f'<div class="help{" hidden" if hidden else ""}"{help_id}>\n<div>{help_text}</div>\n</div>\n')
    parts.append(line_errors if single else errors)
    if not field.is_checkbox:
        if readonly:
            parts.append(f'\n<div class="readonly">{_e(field.contents())}</div>\n')
        else:
            parts.append(f"\n{_e(field.field)}\n")
    parts.append("</div>\n")
    if is_fieldset:
        parts.append("</fieldset>\n")


def _label_tag(field, punctuation: str) -> str:
    """``field.label_tag()``: for an ``AdminField`` what ``AdminField.label_tag`` and ``BoundField.label_tag`` do,
    step for step, without their per-call gettext and format_html (670 labels a page); the label template itself
    is the form's (``FastFormRenderer`` makes it in Python)."""
    if type(field) is not AdminField or type(field.field).label_tag is not BoundField.label_tag:
        return field.label_tag()
    bound = field.field
    form, form_field = bound.form, bound.field
    widget = form_field.widget
    classes = []
    if field.is_checkbox:
        classes.append("vCheckboxLabel")
    if form_field.required:
        classes.append("required")
    if not field.is_first:
        classes.append("inline")
    attrs = {"class": " ".join(classes)} if classes else {}
    tag = "legend" if field.is_fieldset else None
    contents = SafeString(_e(bound.label)) or bound.label  # mark_safe(conditional_escape(label))
    if field.is_checkbox:
        suffix = ""
    else:
        suffix = form_field.label_suffix if form_field.label_suffix is not None else form.label_suffix
    if suffix and contents and contents[-1] not in punctuation:
        contents = SafeString(contents + _e(suffix))
    id_ = widget.attrs.get("id") or bound.auto_id
    if id_:
        attrs = {**attrs}
        id_for_label = widget.id_for_label(id_)
        if id_for_label and tag != "legend":
            attrs["for"] = id_for_label
        if form_field.required and hasattr(form, "required_css_class"):
            if "class" in attrs:
                attrs["class"] += " " + form.required_css_class
            else:
                attrs["class"] = form.required_css_class
    context = {"field": bound, "label": contents, "attrs": attrs, "use_tag": bool(id_), "tag": tag or "label"}
    if type(form).render is not RenderableMixin.render:
        return form.render(form.template_name_label, context)
    return SafeString(form.renderer.render(form.template_name_label, context))  # what RenderableMixin.render does
