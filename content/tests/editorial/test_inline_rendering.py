"""The change page renders its sections in Python and its fields with Jinja2 (for speed): the markup must be
Django's own, element for element, as its templates would make it. When this fails after a Django upgrade,
bring content/editorial/inline_rendering.py (or the templates under content/jinja2/) up to Django's templates."""

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
