"""The change page renders its sections in Python, its most frequent form templates in Python too
(common.forms.IN_PYTHON) and Django's other form templates with Jinja2 (for speed): the markup must be Django's
own, element for element for the page, byte for byte for each template made in Python, as Django's templates would
make it. When this fails after a Django upgrade, bring content/editorial/inline_rendering.py or common/forms.py up
to Django's templates."""

import difflib
import re

import pytest
from django.forms.renderers import DjangoTemplates
from django.test.html import parse_html
from django.urls import reverse

from content.editorial import sections_admin
from content.editorial.forms import PostAdminForm
from content.tests.editorial.test_admin import change_form_data, post_change, section_row
from content.tests.factories import (
    AudioSectionFactory,
    ImageSectionFactory,
    PostFactory,
    SectionFactory,
    VideoSectionFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def djangos_own(monkeypatch):
    """Switch the change page back to Django's stacked.html and its default form renderer."""

    def switch():
        renderer = DjangoTemplates()
        monkeypatch.setattr(sections_admin, "RENDERER", renderer)
        monkeypatch.setattr(PostAdminForm, "default_renderer", renderer)
        monkeypatch.setattr(sections_admin.PostSectionInline, "template", "admin/edit_inline/stacked.html")

    return switch


def main_content(response) -> str:
    """The post form: the post's fields and its sections."""
    assert response.status_code == 200
    html = response.content.decode()
    start = html.rindex("<form", 0, html.index('id="post_form"'))
    form = html[start : html.index("</form>", start) + len("</form>")]
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', 'name="csrfmiddlewaretoken"', form)


def assert_same_markup(ours: str, djangos: str) -> None:
    ours_tree, djangos_tree = parse_html(ours), parse_html(djangos)
    if ours_tree != djangos_tree:  # where they differ, not two walls of HTML
        mine, theirs = (str(tree).replace("><", ">\n<").splitlines() for tree in (ours_tree, djangos_tree))
        diff = difflib.unified_diff(theirs, mine, "Django's templates", "ours", n=3, lineterm="")
        raise AssertionError("\n".join(list(diff)[:60]))


def sections_of_every_kind():
    post = PostFactory(title="Every kind", published=False)
    SectionFactory(post=post, position=1, title="Words <b>& more</b>", subtitle="Sub")
    ImageSectionFactory(post=post, position=2, image__alt_text="")
    VideoSectionFactory(post=post, position=3, keywords=["a", "b"])
    AudioSectionFactory(post=post, position=4, section_metadata={"x": 1})
    return post


def test_the_change_page_is_what_djangos_templates_make(staff_client, djangos_own):
    post = sections_of_every_kind()
    url = reverse("admin:content_post_change", args=[post.pk])
    ours = main_content(staff_client.get(url))
    assert 'id="sections-3"' in ours and 'id="sections-empty"' in ours
    djangos_own()
    assert_same_markup(ours, main_content(staff_client.get(url)))


def test_a_refused_form_with_errors_everywhere_is_what_djangos_templates_make(staff_client, djangos_own):
    post = sections_of_every_kind()
    first, second, *_ = post.sections.order_by("position")
    rows = [
        section_row(0, first, position=0, content="", keywords="{broken"),
        section_row(1, second, content_type="text", duration="soon"),
        section_row(2, None, position=1, title="New", content="x"),
        section_row(3, None, position=1, title="Also new", content="y"),
    ]
    data = change_form_data(post, rows, title="", slug="bad slug")
    ours = main_content(post_change(staff_client, post, data))
    assert "errorlist" in ours
    djangos_own()
    assert_same_markup(ours, main_content(post_change(staff_client, post, data)))


def test_the_add_page_is_what_djangos_templates_make(staff_client, djangos_own):
    url = reverse("admin:content_post_add")
    ours = main_content(staff_client.get(url))
    djangos_own()
    assert_same_markup(ours, main_content(staff_client.get(url)))


# Each form template that common.forms.FastFormRenderer makes in Python (IN_PYTHON), byte for byte against
# Django's own template (its default renderer), including what is escaped, localized or left out.

AWKWARD = 'Tom & Jerry\'s "<b>best</b>"'


def same_as_djangos(widget, name, value, attrs=None):
    from common.forms import FastFormRenderer

    djangos = widget.render(name, value, attrs=attrs, renderer=DjangoTemplates())
    ours = widget.render(name, value, attrs=attrs, renderer=FastFormRenderer())
    assert ours == djangos
    return ours


def input_cases():
    from decimal import Decimal

    from django import forms
    from django.utils.safestring import mark_safe

    attrs = {"class": AWKWARD, "required": True, "disabled": False, "maxlength": 200, "data-x": mark_safe("<i>")}
    return [
        (forms.TextInput(attrs=attrs), AWKWARD),
        (forms.TextInput(), None),
        (forms.TextInput(), ""),
        (forms.TextInput(), mark_safe("&amp; kept")),
        (forms.NumberInput(), 12345),
        (forms.NumberInput(), 1.5),
        (forms.NumberInput(), Decimal("1234.50")),
        (forms.HiddenInput(), 0),
        (forms.EmailInput(), "a@example.org"),
        (forms.URLInput(), "https://example.org/?a=1&b='2'"),
        (forms.PasswordInput(render_value=True), AWKWARD),
        (forms.SearchInput(), AWKWARD),
        (forms.TelInput(), "+33 1"),
        (forms.CheckboxInput(), True),
        (forms.CheckboxInput(), False),
        (forms.CheckboxInput(), "on"),
        (forms.Textarea(attrs=attrs), AWKWARD + "\nsecond line\n"),
        (forms.Textarea(), None),
        (forms.Textarea(), ""),
        (forms.Textarea(), mark_safe("<kept>")),
        (forms.Textarea(), 42),
    ]


@pytest.mark.parametrize("case", range(len(input_cases())))
def test_inputs_and_textareas_in_python_are_djangos_markup(case):
    widget, value = input_cases()[case]
    same_as_djangos(widget, "field-" + AWKWARD, value)


def select_cases():
    from django import forms
    from django.utils.translation import gettext_lazy

    awkward = [("a&b", AWKWARD), ('"q"', "<quoted>"), (3, "three"), ("", "---------")]
    grouped = [("Group <1> & 'one'", [(1, "one"), (2, "two")]), ("", [(3, "plain")]), (4, "alone")]
    return [
        (forms.Select(choices=awkward), "a&b"),
        (forms.Select(choices=awkward), '"q"'),
        (forms.Select(choices=awkward), 3),  # an int against the choices' values
        (forms.Select(choices=awkward), "3"),  # a string against an int choice
        (forms.Select(choices=awkward), None),
        (forms.Select(choices=awkward, attrs={"class": AWKWARD, "required": True}), ""),
        (forms.Select(choices=grouped), 2),
        (forms.Select(choices=[(1, 1234567), (2, 1.5), (3, gettext_lazy("Lazy <label>"))]), 1),
        (forms.Select(choices=[(True, "yes"), (False, "no")]), False),
        (forms.Select(choices=[(None, "none"), (1, "one")]), None),
        (forms.Select(choices=[]), None),
        (forms.SelectMultiple(choices=grouped), [1, "3", 4]),
        (forms.NullBooleanSelect(), True),
        (forms.NullBooleanSelect(), None),
    ]


@pytest.mark.parametrize("case", range(len(select_cases())))
def test_selects_in_python_are_djangos_markup(case):
    widget, value = select_cases()[case]
    html = same_as_djangos(widget, "choice", value)
    assert html.startswith("<select")


def test_a_model_select_in_python_is_djangos_markup():
    from django import forms

    from content.models import Tag
    from content.tests.factories import TagFactory

    tags = [TagFactory(name=name) for name in ("b&w", "<night>", "Tom's")]
    field = forms.ModelChoiceField(Tag.objects.order_by("pk"))
    html = same_as_djangos(field.widget, "tag", tags[1].pk)
    assert "&lt;night&gt;" in html and " selected" in html


def test_a_select_whose_options_have_another_template_goes_to_djangos_templates():
    from django import forms

    class Described(forms.Select):
        option_template_name = "django/forms/widgets/input_option.html"

    html = same_as_djangos(Described(choices=[(1, "one")]), "choice", 1)
    assert "<select" in html


def test_a_callable_attribute_goes_to_djangos_templates():
    from django import forms

    same_as_djangos(forms.TextInput(attrs={"data-x": lambda: "called"}), "name", "value")


def test_the_admins_url_widget_in_python_is_djangos_markup():
    from django.contrib.admin.widgets import AdminURLFieldWidget

    for value in ("https://example.org/a?b=1&c='2'#\"x\"", "not a url <b>", "", None):
        same_as_djangos(AdminURLFieldWidget(), "video_url", value)
    assert '<p class="url">' in same_as_djangos(AdminURLFieldWidget(), "video_url", "https://example.org/")


def test_the_admins_raw_id_widget_in_python_is_djangos_markup():
    from django.contrib import admin
    from django.contrib.admin.widgets import ForeignKeyRawIdWidget

    from content.models import PostSection
    from media_library.chooser import ImageChooserWidget
    from media_library.tests.factories import ImageFactory

    image = ImageFactory(alt_text="A <teal> & 'odd' picture")
    rel = PostSection._meta.get_field("image").remote_field
    for widget in (
        ForeignKeyRawIdWidget(rel, admin.site),
        ForeignKeyRawIdWidget(rel, admin.AdminSite(name="empty")),  # the image model not registered: no lookup
        ImageChooserWidget(rel, admin.site, chooser=True),
        ImageChooserWidget(rel, admin.site, chooser=False),
    ):
        for value in (image.pk, str(image.pk), image.pk + 1000, "", None):
            same_as_djangos(widget, "sections-0-image", value)
    assert "<strong>" in same_as_djangos(ForeignKeyRawIdWidget(rel, admin.site), "image", image.pk)


def label_cases():
    from django import forms

    class Labelled(forms.Form):
        plain = forms.CharField()
        awkward = forms.CharField(label=AWKWARD, required=False)
        asking = forms.CharField(label="Really?")
        empty = forms.CharField(label="")
        agreed = forms.BooleanField(required=False)
        suffixed = forms.CharField(label_suffix=" —")

    class Styled(Labelled):
        required_css_class = "needed"

    return [
        Labelled(),
        Labelled(auto_id=False),
        Labelled(auto_id="field_%s", prefix="p-1"),
        Labelled(label_suffix=""),
        Styled(),
        Styled(data={"plain": ""}),
    ]


@pytest.mark.parametrize("case", range(len(label_cases())))
def test_labels_in_python_are_djangos_markup(case):
    from django.contrib.admin.helpers import AdminField
    from django.utils.translation import gettext

    from common.forms import FastFormRenderer
    from content.editorial.inline_rendering import _label_tag

    ours, djangos = label_cases()[case], label_cases()[case]
    ours.renderer, djangos.renderer = FastFormRenderer(), DjangoTemplates()
    for name in ours.fields:
        for is_first in (True, False):
            djangos_label = AdminField(djangos, name, is_first).label_tag()
            assert AdminField(ours, name, is_first).label_tag() == djangos_label  # through the renderer
            assert _label_tag(AdminField(ours, name, is_first), gettext(":?.!")) == djangos_label  # made in Python
        assert ours[name].label_tag(attrs={"class": AWKWARD}) == djangos[name].label_tag(attrs={"class": AWKWARD})


def admin_fields(inline_admin_formset):
    from django.contrib.admin.helpers import AdminField

    for inline_admin_form in inline_admin_formset:
        for fieldset in inline_admin_form:
            for line in fieldset:
                yield from (field for field in line if isinstance(field, AdminField))


@pytest.mark.parametrize("refused", [False, True])
def test_the_section_forms_labels_made_in_python_are_djangos(staff_client, refused):
    from django.utils.translation import gettext

    from content.editorial.inline_rendering import _label_tag

    post = sections_of_every_kind()
    if refused:
        first, second, *_ = post.sections.order_by("position")
        rows = [section_row(0, first, content="", keywords="{broken"), section_row(1, second, duration="soon")]
        response = post_change(staff_client, post, change_form_data(post, rows, title=""))
    else:
        response = staff_client.get(reverse("admin:content_post_change", args=[post.pk]))
    fields = list(admin_fields(response.context["inline_admin_formsets"][0]))
    assert len(fields) >= 3 * 12  # three forms at least (two sections and the empty one) of 12 fields
    for field in fields:
        assert _label_tag(field, gettext(":?.!")) == field.label_tag()


def test_the_sections_media_is_what_django_gathers_from_every_form(staff_client):
    from django.contrib.admin.helpers import InlineAdminFormSet

    from content.editorial.sections_admin import SectionsAdminFormSet

    post = sections_of_every_kind()
    response = staff_client.get(reverse("admin:content_post_change", args=[post.pk]))
    sections = response.context["inline_admin_formsets"][0]
    assert type(sections) is SectionsAdminFormSet
    djangos = InlineAdminFormSet.media.fget(sections)
    assert str(sections.media) == str(djangos) and "editorial/chooser.js" in str(djangos)


def test_the_section_forms_share_their_image_fields_queryset_and_still_check_the_image(staff_client):
    from media_library.tests.factories import ImageFactory

    post = sections_of_every_kind()
    response = staff_client.get(reverse("admin:content_post_change", args=[post.pk]))
    forms = response.context["inline_admin_formsets"][0].formset.forms
    fields = [form.fields["image"] for form in forms]
    assert len({id(field) for field in fields}) == len(fields)
    assert len({id(field.queryset) for field in fields}) == 1
    assert all(field.widget.choices.field is field for field in fields)  # each copy's own choices
    image = ImageFactory()
    assert fields[0].clean(str(image.pk)) == image
    with pytest.raises(Exception, match="valid choice"):
        fields[1].clean(str(image.pk + 1000))
