"""The change form's live preview and reading time: the readers' rendering, staff only, bad input a 400
naming the field, never a 500."""

import json
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.forms import inlineformset_factory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from content import stored_html
from content.editorial.forms import marked_for_deletion
from content.models import Post, PostSection
from content.reading import WORDS_PER_MINUTE, reading_time
from content.rendering import assign_anchors
from content.tests.editorial.test_admin import change_form_data, section_row
from content.tests.editorial.workflow_helpers import client_for, make_user
from content.tests.factories import ImageSectionFactory, PostFactory, SectionFactory
from media_library.tests.factories import ImageFactory

pytestmark = pytest.mark.django_db

SECTION_URL = "admin:content_post_preview_section"
COUNTS_URL = "admin:content_post_preview_counts"
PAGE_URL = "admin:content_post_preview"


def fields(**values) -> dict:
    return {"content_type": "text", "title": "", "subtitle": "", "content": "", **values}


def preview(client, payload, url=SECTION_URL, **extra):
    body = payload if isinstance(payload, bytes | str) else json.dumps(payload)
    extra.setdefault("content_type", "application/json")
    return client.post(reverse(url), body, **extra)


def page_preview(client, data):
    """The whole post's preview, posted as a form is (URL-encoded)."""
    return client.post(reverse(PAGE_URL), urlencode(data), content_type="application/x-www-form-urlencoded")


def refusal(response) -> tuple[str | None, str]:
    assert response.status_code == 400, response.content[:300]
    answer = response.json()
    return answer["field"], answer["error"]


# --- what the preview shows ---


def test_a_section_is_rendered_as_readers_get_it(editor_client):
    post = PostFactory()
    saved = SectionFactory(post=post, position=1, title="Night walk", content="Some **bold** text.\n\n## Later")
    response = preview(editor_client, fields(title="Night walk", content=saved.content, position="1"))
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0") and "private" in response["Cache-Control"]
    assign_anchors([saved])
    answer = response.json()
    assert answer["html"] == stored_html.render(saved)  # the very HTML a reader's page stores
    assert '<section class="section section-text" id="night-walk"' in answer["html"]
    assert "<strong>bold</strong>" in answer["html"] and "<h3>Later</h3>" in answer["html"]
    assert answer["words"] == 6 and answer["label"] == "6 words · 1 min read"


def test_the_preview_is_sanitized_as_the_public_page(editor_client):
    hostile = (
        '<script>alert(1)</script>\n\n<img src=x onerror="alert(2)">\n\n'
        '[link](javascript:alert(3)) <b onclick="x()">b</b>'
    )
    html = preview(editor_client, fields(content=hostile)).json()["html"]
    assert "<script" not in html and "onerror" not in html and "javascript:" not in html and "onclick" not in html
    assert "<b>b</b>" in html


def test_an_image_section_shows_its_image_with_one_query(editor_client):
    image = ImageFactory(alt_text="A heron", caption="At dusk")
    with CaptureQueriesContext(connection) as queries:
        response = preview(editor_client, fields(content_type="image", image=str(image.pk), content="Below."))
    html = response.json()["html"]
    assert 'alt="A heron"' in html and "<figcaption>At dusk</figcaption>" in html
    assert sum("media_library_image" in query["sql"] or '"image"' in query["sql"] for query in queries) == 1


def test_reading_time_counts_the_words_readers_read():
    assert reading_time("A [link](https://example.org/a/b) and `code` **here**").words == 5
    assert reading_time("", plain=["A title", None]).words == 2
    assert reading_time("- one\n- two — three .").words == 3  # a dash or a dot alone is no word
    assert reading_time("").label == "No words yet"
    assert reading_time("word " * WORDS_PER_MINUTE).label == f"{WORDS_PER_MINUTE} words · 1 min read"
    assert reading_time("word " * (WORDS_PER_MINUTE + 1)).minutes == 2
    assert reading_time("word " * 2000).label == "2,000 words · 9 min read"


def test_counts_of_the_post_and_each_section_leave_deleted_ones_out(editor_client):
    post = PostFactory(title="Three words here", subtitle="", content="An introduction of six words.")
    one = SectionFactory(post=post, position=1, title="One", content="two three four")
    gone = SectionFactory(post=post, position=2, title="Gone", content="not counted at all")
    data = change_form_data(
        post,
        [section_row(0, one), section_row(1, gone, DELETE="on"), section_row(2, None, content="five six", title="")],
    )
    data["subtitle"] = ""
    response = preview(editor_client, {key: str(value) for key, value in data.items()}, COUNTS_URL)
    counts = response.json()
    assert counts["intro"]["words"] == 3 + 5
    assert counts["sections"] == {
        "sections-0": {"words": 4, "minutes": 1, "label": "4 words · 1 min read"},
        "sections-2": {"words": 2, "minutes": 1, "label": "2 words · 1 min read"},
    }
    assert counts["post"]["words"] == 14


def test_the_whole_post_puts_sections_in_position_order_and_one_without_last(editor_client):
    post = PostFactory(title="Ordered")
    rows = [
        section_row(0, None, title="Third", content="c", position=""),
        section_row(1, None, title="Second", content="b", position="2"),
        section_row(2, None, title="First", content="a", position="1"),
    ]
    html = page_preview(editor_client, change_form_data(post, rows)).content.decode()
    assert html.index('id="first"') < html.index('id="second"') < html.index('id="third"')


def test_the_whole_post_is_previewed_in_the_readers_page(editor_client):
    post = PostFactory(title="Old title")
    section = ImageSectionFactory(post=post, position=1, title="Picture", image__alt_text="Owl")
    data = change_form_data(
        post,
        [section_row(0, section, image=section.image_id), section_row(1, None, title="Words", content="Fresh *text*")],
        title="New title",
        tags="owls, night",
    )
    response = page_preview(editor_client, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>New title</h1>" in html and "Preview: readers cannot see this post." in html
    assert 'alt="Owl"' in html and "<em>text</em>" in html and ">night</a>" in html
    assert "script-src 'none'" in response["Content-Security-Policy"]  # the readers' policy
    assert response["X-Robots-Tag"] == "noindex"
    assert Post.objects.get(pk=post.pk).title == "Old title"  # nothing saved


def test_a_section_preview_reads_nothing_for_a_text_section(editor_client):
    """Its speed is a figure of `make bench` (admin_preview_section, target < 100 ms); here, its queries."""
    part = "## Part {n}\n\nSome *Markdown* with [a link](https://example.org/{n}) and more."
    text = "\n\n".join(part.format(n=n) for n in range(60))
    preview(editor_client, fields(content=text))  # the session and permissions, once
    with CaptureQueriesContext(connection) as queries:
        assert preview(editor_client, fields(content=text)).status_code == 200
    assert len(queries) <= 4  # session, user, permissions: nothing of the section's own


def test_the_whole_post_and_its_counts_read_the_same_whatever_the_number_of_sections(editor_client):
    def queries(sections: int) -> tuple[int, int]:
        post = PostFactory()
        rows = [section_row(n, None, content_type="image", image=ImageFactory().pk) for n in range(sections)]
        data = change_form_data(post, rows)
        with CaptureQueriesContext(connection) as page:
            assert page_preview(editor_client, data).status_code == 200
        with CaptureQueriesContext(connection) as counts:
            assert (
                preview(editor_client, {key: str(value) for key, value in data.items()}, COUNTS_URL).status_code == 200
            )
        return len(page), len(counts)

    queries(1)  # the session and permissions, once
    assert queries(2) == queries(12)


# --- who may use it ---


def test_only_staff_who_may_change_posts_preview(client, django_user_model):
    assert preview(client, fields(content="x")).status_code == 302  # to the login page
    reader = make_user(django_user_model, "rita")
    assert preview(client_for(client, reader), fields(content="x")).status_code == 403
    viewer = make_user(django_user_model, "vera")
    viewer.user_permissions.add(Permission.objects.get(codename="view_post"))
    viewer = django_user_model.objects.get(pk=viewer.pk)
    assert preview(client_for(client, viewer), fields(content="x")).status_code == 403
    assert preview(client_for(client, viewer), fields(content="x"), COUNTS_URL).status_code == 403


def test_the_preview_needs_the_csrf_token(editor, client):
    from django.test import Client

    checked = Client(enforce_csrf_checks=True)
    checked.force_login(editor)
    assert preview(checked, fields(content="x")).status_code == 403
    checked.get(reverse("admin:content_post_add"))  # sets the CSRF cookie
    token = checked.cookies["csrftoken"].value
    assert preview(checked, fields(content="x"), HTTP_X_CSRFTOKEN=token).status_code == 200


def test_a_get_is_refused(editor_client):
    assert editor_client.get(reverse(SECTION_URL)).status_code == 405
    assert editor_client.get(reverse(PAGE_URL)).status_code == 405


# --- bad input: a 400 naming the field ---


@pytest.mark.parametrize(
    ("payload", "field", "words"),
    [
        (fields(content="a\x00b"), "content", "Null characters are not allowed"),
        (fields(title="a\x01b"), "title", "control character (U+0001)"),
        (fields(content="a\x1bb"), "content", "control character (U+001B)"),
        (fields(title="x" * 201), "title", "at most 200 characters"),
        (fields(content_type="poem"), "content_type", "not one of the available choices"),
        (fields(duration="ten minutes"), "duration", ""),
        (fields(position=str(2**40)), "position", ""),
        (fields(video_url="javascript:alert(1)"), "video_url", "valid URL"),
        (fields(image="one"), "image", "whole number"),
        (fields(content=["a list"]), "content", "must be text"),
        (fields(content="\ud800"), "content", "lone surrogate"),
        ({"title": "x", "content": "y"}, "content_type", "is missing"),
        ({"content_type": "text"}, "content", "is missing"),
    ],
)
def test_bad_fields_are_a_400_naming_the_field(editor_client, payload, field, words):
    named, message = refusal(preview(editor_client, payload))
    assert named == field
    assert field in message and words in message


def test_bytes_that_are_not_utf8_are_a_400_naming_the_field(editor_client):
    body = b'{"content_type": "text", "title": "ok", "content": "caf\xe9"}'
    message = "The field “content” is not UTF-8 text: send it as the page does."
    assert refusal(preview(editor_client, body)) == ("content", message)


@pytest.mark.parametrize(
    ("body", "content_type", "words"),
    [
        ("not json", "application/json", "not a JSON object of fields (Expecting value, at character 0)"),
        ("[1, 2]", "application/json", "must be a JSON object"),
        ("[" * 100_000, "application/json", "not a JSON object"),
        ('{"content": 1' + "0" * 5000 + "}", "application/json", "not a JSON object"),
        ("content_type=text&content=x", "application/x-www-form-urlencoded", "Send the fields as application/json"),
        ('{"content": "x"}', "application/json; charset=latin-1", "UTF-8"),
    ],
)
def test_a_body_that_is_not_a_json_object_is_a_400(editor_client, body, content_type, words):
    named, message = refusal(preview(editor_client, body, content_type=content_type))
    assert named is None and words in message


def test_a_huge_body_is_refused_before_it_is_read(editor_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    named, message = refusal(preview(editor_client, fields(content="word " * 5000)))
    assert named == "content" and "at most 10,000 are read" in message
    named, _ = refusal(preview(editor_client, fields(content="word " * 5000), COUNTS_URL))
    assert named == "content"


def test_bad_input_to_the_counts_names_the_section_field(editor_client):
    post = PostFactory()
    data = {key: str(value) for key, value in change_form_data(post, [section_row(0), section_row(1)]).items()}
    data["sections-1-duration"] = "forever"
    assert refusal(preview(editor_client, data, COUNTS_URL))[0] == "sections-1-duration"
    del data["sections-1-duration"], data["sections-1-content"]
    assert refusal(preview(editor_client, data, COUNTS_URL))[0] == "sections-1-content"
    data["sections-TOTAL_FORMS"] = "100000"
    assert refusal(preview(editor_client, data, COUNTS_URL))[0] == "sections-TOTAL_FORMS"
    data["sections-TOTAL_FORMS"] = "many"
    assert refusal(preview(editor_client, data, COUNTS_URL))[0] == "sections-TOTAL_FORMS"


def test_bad_input_to_the_whole_post_preview_is_a_plain_400(editor_client):
    post = PostFactory()
    data = change_form_data(post, [section_row(0, None, content="a\x00b")])
    response = page_preview(editor_client, data)
    assert response.status_code == 400
    assert "sections-0-content" in response.content.decode()
    body = b"title=caf%E9&content=x"
    response = editor_client.post(reverse(PAGE_URL), body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400 and "“title” is not UTF-8" in response.content.decode()
    response = editor_client.post(reverse(PAGE_URL), {"title": "x", "sections-TOTAL_FORMS": "1"})  # multipart
    assert response.status_code == 400 and "application/x-www-form-urlencoded" in response.content.decode()


def test_a_huge_form_to_the_whole_post_preview_is_a_400(editor_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000  # Django's own check, as the form's CSRF token is read
    response = page_preview(editor_client, change_form_data(PostFactory(), [], content="word " * 5000))
    assert response.status_code == 400


@pytest.mark.parametrize("value", ["on", "true", "1", "0", "yes", "x", "", "false", "False"])
def test_delete_boxes_are_read_as_the_save_reads_them(value):
    """The previews and the checklist leave out exactly the sections the save would delete."""
    sections = inlineformset_factory(Post, PostSection, fields=["title", "content"], can_delete=True)
    management = {"sections-TOTAL_FORMS": "1", "sections-INITIAL_FORMS": "0"}
    formset = sections({**management, "sections-0-content": "Words.", "sections-0-DELETE": value}, prefix="sections")
    assert formset.is_valid(), formset.errors
    assert marked_for_deletion({"sections-0-DELETE": value}, "sections-0") is formset._should_delete_form(
        formset.forms[0]
    )
