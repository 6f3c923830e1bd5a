"""The post change form as a staff user: sections inline, reorder, insert, bad input."""

import pytest
from django.urls import reverse

from content.models import Post
from content.tests.factories import PostFactory, SectionFactory

pytestmark = pytest.mark.django_db


def section_row(index, section=None, **values):
    row = {
        "id": section.pk if section else "",
        "post": section.post_id if section else "",
        "position": section.position if section else "",
        "content_type": section.content_type if section else "text",
        "title": (section.title if section else "") or "",
        "subtitle": "",
        "content": section.content if section else "",
        "image": "",
        "video_url": "",
        "audio_url": "",
        "duration": "",
        "keywords": "",
        "social_media_snippets": "",
        "section_metadata": "",
    }
    row.update(values)
    return {f"sections-{index}-{key}": value for key, value in row.items()}


def change_form_data(post, rows, **post_values):
    data = {
        "title": post.title,
        "subtitle": post.subtitle or "",
        "slug": post.slug,
        "summary": post.summary or "",
        "content": post.content,
        "tags": "",
        "published": "on" if post.published else "",
        "published_at_0": "",
        "published_at_1": "",
        "publish_at_0": "",
        "publish_at_1": "",
        "author": "",
        "version": post.version,
        "llm_metadata": "",
        "sections-TOTAL_FORMS": len(rows),
        "sections-INITIAL_FORMS": sum(1 for row in rows if row.get(next(iter(row)))),
        "sections-MIN_NUM_FORMS": 0,
        "sections-MAX_NUM_FORMS": 1000,
    }
    for row in rows:
        data.update(row)
    data.update(post_values)
    return data


@pytest.fixture
def post_with_sections():
    post = PostFactory(title="Ordered", slug="ordered", published=False)  # a draft: its rows are what it saves
    sections = [SectionFactory(post=post, title=title, position=n) for n, title in enumerate("abc", start=1)]
    return post, sections


def titles_in_order(post):
    return list(post.sections.order_by("position").values_list("title", "position"))


def post_change(client, post, data):
    return client.post(reverse("admin:content_post_change", args=[post.pk]), data)


def test_change_page_lists_sections_in_position_order(staff_client, post_with_sections):
    post, _ = post_with_sections
    response = staff_client.get(reverse("admin:content_post_change", args=[post.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert body.index('value="a"') < body.index('value="b"') < body.index('value="c"')
    # Empty JSON columns show an empty box, not the word null.
    assert "null</textarea>" not in body


def test_swapping_two_sections_saves_without_integrity_error(staff_client, post_with_sections):
    post, (a, b, c) = post_with_sections
    rows = [section_row(0, a, position=2), section_row(1, b, position=1), section_row(2, c)]
    response = post_change(staff_client, post, change_form_data(post, rows))
    assert response.status_code == 302, response.context["errors"] if response.context else response
    assert titles_in_order(post) == [("b", 1), ("a", 2), ("c", 3)]


def test_moving_a_section_to_the_front_shifts_the_others(staff_client, post_with_sections):
    post, (a, b, c) = post_with_sections
    rows = [section_row(0, a), section_row(1, b), section_row(2, c, position=1)]
    response = post_change(staff_client, post, change_form_data(post, rows))
    assert response.status_code == 302
    assert titles_in_order(post) == [("c", 1), ("a", 2), ("b", 3)]


def test_inserting_a_section_at_a_taken_position_goes_before_it(staff_client, post_with_sections):
    post, (a, b, c) = post_with_sections
    rows = [
        section_row(0, a),
        section_row(1, b),
        section_row(2, c),
        section_row(3, position=2, title="new", content="Inserted"),
    ]
    response = post_change(staff_client, post, change_form_data(post, rows))
    assert response.status_code == 302
    assert titles_in_order(post) == [("a", 1), ("new", 2), ("b", 3), ("c", 4)]


def test_a_section_without_position_goes_last_and_deleting_closes_the_gap(staff_client, post_with_sections):
    post, (a, b, c) = post_with_sections
    rows = [
        section_row(0, a, DELETE="on"),
        section_row(1, b),
        section_row(2, c),
        section_row(3, title="tail", content="End"),
    ]
    response = post_change(staff_client, post, change_form_data(post, rows))
    assert response.status_code == 302
    assert titles_in_order(post) == [("b", 1), ("c", 2), ("tail", 3)]


def test_two_new_sections_at_one_position_is_a_form_error(staff_client, post_with_sections):
    post, (a, b, c) = post_with_sections
    rows = [
        section_row(0, a),
        section_row(1, b),
        section_row(2, c),
        section_row(3, position=1, title="x", content="x"),
        section_row(4, position=1, title="y", content="y"),
    ]
    response = post_change(staff_client, post, change_form_data(post, rows))
    assert response.status_code == 200
    assert "both given position 1" in response.content.decode()
    assert titles_in_order(post) == [("a", 1), ("b", 2), ("c", 3)]


def test_duplicate_slug_is_a_form_error_and_nothing_is_saved(staff_client, post_with_sections):
    post, sections = post_with_sections
    PostFactory(slug="taken")
    rows = [section_row(i, s) for i, s in enumerate(sections)]
    response = post_change(staff_client, post, change_form_data(post, rows, slug="taken", title="Renamed"))
    assert response.status_code == 200
    assert "slug" in response.context["adminform"].form.errors
    post.refresh_from_db()
    assert (post.slug, post.title) == ("ordered", "Ordered")


def test_over_long_title_is_a_form_error(staff_client, post_with_sections):
    post, sections = post_with_sections
    rows = [section_row(i, s) for i, s in enumerate(sections)]
    response = post_change(staff_client, post, change_form_data(post, rows, title="x" * 201))
    assert response.status_code == 200
    assert "title" in response.context["adminform"].form.errors
    assert Post.objects.get(pk=post.pk).title == "Ordered"


def test_invalid_json_is_a_form_error_that_says_where(staff_client, post_with_sections):
    post, sections = post_with_sections
    rows = [section_row(i, s) for i, s in enumerate(sections)]
    rows[0]["sections-0-keywords"] = '["a", "b"'
    response = post_change(staff_client, post, change_form_data(post, rows, llm_metadata="{bad json}"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Invalid JSON" in body and "line 1, column" in body
    assert response.context["adminform"].form.errors["llm_metadata"]
    post.refresh_from_db()
    assert post.llm_metadata is None


def test_section_carrying_another_types_field_is_a_form_error(staff_client, post_with_sections):
    post, (a, b, c) = post_with_sections
    rows = [section_row(0, a, video_url="https://vimeo.com/1"), section_row(1, b), section_row(2, c)]
    response = post_change(staff_client, post, change_form_data(post, rows))
    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    assert "video_url" in formset.forms[0].errors
    a.refresh_from_db()
    assert a.video_url is None


def test_new_post_with_sections_through_the_add_form(staff_client):
    data = change_form_data(
        Post(title="Fresh start", slug="", content="Intro", published=False),
        [section_row(0, title="one", content="First"), section_row(1, title="two", content="Second")],
    )
    response = staff_client.post(reverse("admin:content_post_add"), data)
    assert response.status_code == 302
    post = Post.objects.get(title="Fresh start")
    assert post.slug == "fresh-start"
    assert titles_in_order(post) == [("one", 1), ("two", 2)]


def test_admin_is_for_staff_only(client, django_user_model):
    response = client.get(reverse("admin:content_post_changelist"))
    assert response.status_code == 302
    user = django_user_model.objects.create_user("reader", password="pass-word-123")
    client.force_login(user)
    response = client.get(reverse("admin:content_post_changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
