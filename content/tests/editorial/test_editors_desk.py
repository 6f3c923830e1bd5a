"""The editor's desk with the test client: house style, tag suggestions, sections by type, plain messages."""

import re

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.urls import reverse

from content.editorial.tags_admin import MAX_SUGGESTIONS
from content.models import Post
from content.tests.editorial.test_admin import change_form_data, section_row
from content.tests.editorial.workflow_helpers import (
    client_for,
    draft_post,
    finish_stages_before,
    make_user,
    messages_of,
    step,
)
from content.tests.factories import ImageSectionFactory, TagFactory, VideoSectionFactory

pytestmark = pytest.mark.django_db


def change_page(client, post) -> str:
    response = client.get(reverse("admin:content_post_change", args=[post.pk]))
    assert response.status_code == 200
    return response.content.decode()


# --- A. the house style ---


def test_the_admin_is_named_after_the_blog(admin_client, settings):
    settings.SITE_NAME = "Night Owl Notes"
    html = admin_client.get(reverse("admin:index")).content.decode()
    assert '<div id="site-name"><a href="/admin/">Night Owl Notes</a></div>' in html
    assert "<title>The editor&#x27;s desk | Night Owl Notes admin</title>" in html
    assert "Django administration" not in html and "Django site admin" not in html


def test_unused_and_infrastructure_admins_are_out_of_editors_sight(client, django_user_model, admin_client):
    assert not admin.site.is_registered(apps.get_model("taggit", "Tag"))
    editor = make_user(django_user_model, "ines", "Editors")
    # Even given every permission on them, a staff member who is not a superuser does not see them.
    infrastructure = Permission.objects.filter(content_type__app_label__in=["axes", "django_tasks_database"])
    editor.user_permissions.add(*infrastructure)
    client_for(client, editor)
    index = client.get(reverse("admin:index")).content.decode()
    assert "Access attempts" not in index and "Task results" not in index.title()
    for url in ("/admin/axes/accessattempt/", "/admin/axes/accesslog/", "/admin/django_tasks_database/dbtaskresult/"):
        assert client.get(url).status_code == 403, url
        assert admin_client.get(url).status_code == 200, url
    assert "/admin/axes/accessattempt/" in admin_client.get(reverse("admin:index")).content.decode()


def test_a_refused_admin_page_is_styled_and_explains(client, django_user_model):
    client_for(client, make_user(django_user_model, "ines", "Editors"))
    response = client.get("/admin/auth/user/", HTTP_REFERER="http://testserver/admin/content/post/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "403 Forbidden" not in html
    assert 'id="site-name"' in html and "admin/css/base.css" in html  # the admin's own look
    assert "<h1>You may not open this page</h1>" in html and "(ines)" in html
    assert "ask an\n     administrator" in html
    assert 'href="http://testserver/admin/content/post/">Back to the page you came from' in html
    assert 'href="/admin/">Back to The Blog</a>' in html
    # Another site's address is never offered as the way back.
    html = client.get("/admin/auth/user/", HTTP_REFERER="https://elsewhere.example/").content.decode()
    assert "elsewhere.example" not in html


def test_a_form_refused_by_its_csrf_check_says_what_to_do(django_user_model):
    from django.test import Client

    client = client_for(Client(enforce_csrf_checks=True), make_user(django_user_model, "ines", "Editors"))
    post = draft_post()
    response = client.post(reverse("admin:content_post_change", args=[post.pk]), {"title": "x"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "<h1>This form could not be sent</h1>" in html and 'id="site-name"' in html
    assert "reload the page and send the form again" in html and "CSRF verification failed" not in html


def test_a_readers_403_has_the_sites_look(rf):
    from django.core.exceptions import PermissionDenied
    from django.views.defaults import permission_denied

    response = permission_denied(rf.get("/somewhere/"), PermissionDenied())
    html = response.content.decode()
    assert response.status_code == 403 and "<h1>Not allowed</h1>" in html and 'class="site-header"' in html


# --- A. messages in plain words ---


def test_workflow_messages_use_labels_not_keys(editor_client):
    post = finish_stages_before(draft_post(), "writing")
    response = step(editor_client, post, "done", kind="substage", substage="sections_media")
    assert "Sections and media: done." in messages_of(response)
    response = step(editor_client, post, "start", kind="substage", substage="summary_seo")
    assert "Summary and SEO: in progress." in messages_of(response)
    response = step(editor_client, post, "back_to_planning")
    assert "“Back to planning”: done. The post is now in Planning." in messages_of(response)


def test_refusals_name_no_permission_codes(editor_client):
    post = finish_stages_before(draft_post(), "review", finish_current=True)
    response = step(editor_client, post, "approve")
    message = " ".join(messages_of(response))
    assert "Only Publishers may “Approve”" in message
    assert "content.publish_post" not in message and "permission" not in message
    html = change_page(editor_client, post)
    assert "content.publish_post" not in html


def test_the_panel_shows_checks_and_steps_in_words(editor_client):
    post = finish_stages_before(draft_post(), "writing", finish_current=True)
    step(editor_client, post, "submit_for_review")
    html = change_page(editor_client, post)
    assert "Has sections — The post has 2 sections." in html
    assert "Every image has alt text — Every image has alt text." in html
    for key in ("has_sections", "sections_valid", "images_have_alt_text"):
        assert key not in html
    log = html.split('class="workflow-log"')[1]
    assert "Submit for review (Writing → Review)" in log
    assert "submit_for_review" not in log and "sections_media" not in log
    revisions = editor_client.get(reverse("admin:content_post_revisions", args=[post.pk])).content.decode()
    assert "<td>Submit for review</td>" in revisions and "<td>Writing</td><td>Review</td>" in revisions


def test_section_errors_take_the_right_article(admin_client):
    post = draft_post(sections=0)
    data = change_form_data(post, [section_row(0, content_type="image"), section_row(1, content_type="audio")])
    html = admin_client.post(reverse("admin:content_post_change", args=[post.pk]), data).content.decode()
    assert "An image section needs this field." in html and "An audio section needs this field." in html
    assert "A image" not in html and "A audio" not in html


def test_the_workflow_panel_folds_and_follows_the_form(editor_client):
    html = change_page(editor_client, draft_post())
    panel = re.search(r'<details id="workflow" class="[^"]*" data-remember="workflow-panel" open>', html)
    assert panel and html.index('id="post_form"') < panel.start()
    assert "editorial/panels.js" in html


# --- A. durations as m:ss ---


def test_section_durations_are_typed_and_shown_as_minutes_and_seconds(admin_client):
    post = draft_post(sections=0)
    video = VideoSectionFactory(post=post, position=1, duration=3723)
    assert 'name="sections-0-duration" value="1:02:03"' in change_page(admin_client, post)
    url = reverse("admin:content_post_change", args=[post.pk])
    for typed, seconds in (("3:25", 205), ("95", 95), ("1:00:00", 3600)):
        post.refresh_from_db()
        rows = [section_row(0, video, content_type="video", video_url=video.video_url, duration=typed)]
        assert admin_client.post(url, change_form_data(post, rows)).status_code == 302, typed
        video.refresh_from_db()
        assert video.duration == seconds
    section_page = admin_client.get(reverse("admin:content_postsection_change", args=[video.pk])).content.decode()
    assert '<div class="readonly">1:00:00</div>' in section_page and ">3600<" not in section_page
    post.refresh_from_db()
    rows = [section_row(0, video, content_type="video", video_url=video.video_url, duration="3:75")]
    html = admin_client.post(url, change_form_data(post, rows)).content.decode()
    assert "Write the duration as minutes and seconds, like 3:25" in html and 'value="3:75"' in html


def test_llm_durations_are_shown_as_minutes_and_seconds(admin_client):
    from llm.models import LLMInteraction

    interaction = LLMInteraction.objects.create(input_text="x", output_text="y", model_used="m", duration=75.25)
    listing = admin_client.get(reverse("admin:llm_llminteraction_changelist")).content.decode()
    assert "1:15.2" in listing and "75.25" not in listing
    detail = admin_client.get(reverse("admin:llm_llminteraction_change", args=[interaction.pk])).content.decode()
    assert "1:15.2" in detail and "75.25" not in detail


def test_llm_latencies_are_shown_as_minutes_and_seconds(admin_client):
    from llm.models import LLMLog

    for seconds in (75.25, 75.25, 75.25):
        LLMLog.objects.create(operation="post_summary", model="openai/m", status="success", duration=seconds)
    html = admin_client.get(reverse("admin:llm_metrics")).content.decode()
    assert "<th>p50 (m:ss)</th>" in html and "<td>1:15." in html and "75.2" not in html
    assert "Latency p95 per day (m:ss)" in html


# --- B. tags ---


def tags(client, q):
    return client.get(reverse("admin:content_post_tags"), {"q": q})


def test_tag_suggestions_start_with_prefix_matches(editor_client):
    for name in ("Night photography", "Midnight", "nightlife", "Day trips", "100% natural", "snake_case"):
        TagFactory(name=name, slug=name.lower().replace(" ", "-").replace("%", ""))
    *starting, containing = tags(editor_client, "night").json()["tags"]
    assert sorted(starting) == ["Night photography", "nightlife"] and containing == "Midnight"
    assert tags(editor_client, "  DAY ").json() == {"tags": ["Day trips"]}
    assert tags(editor_client, "%").json() == {"tags": ["100% natural"]}  # a literal, not a wildcard
    assert tags(editor_client, "_").json() == {"tags": ["snake_case"]}
    assert tags(editor_client, "").json() == {"tags": []}
    assert tags(editor_client, "n" * 51).json() == {"tags": []}


def test_tag_suggestions_are_bounded_and_nul_safe(editor_client):
    for number in range(30):
        TagFactory(name=f"topic {number:02d}", slug=f"topic-{number:02d}")
    answer = tags(editor_client, "topic").json()["tags"]
    assert len(answer) == MAX_SUGGESTIONS and answer[0] == "topic 00"
    for hostile in ("a\x00b", "\x00", "x\x07"):
        response = tags(editor_client, hostile)
        assert response.status_code == 400 and "control characters" in response.json()["error"]


def test_tag_suggestions_are_for_staff_who_may_see_posts(client, django_user_model):
    assert tags(client, "a").status_code == 302  # to the login page
    client_for(client, django_user_model.objects.create_user("reader", "reader@example.org", "pass-word-123"))
    assert tags(client, "a").status_code == 302
    client_for(client, make_user(django_user_model, "stranger", None))  # staff, no permission on posts
    assert tags(client, "a").status_code == 403


def test_the_tags_field_explains_its_limit(editor_client):
    html = change_page(editor_client, draft_post())
    assert "A tag can have at most 50 characters." in html
    assert f'data-suggest-url="{reverse("admin:content_post_tags")}"' in html and 'data-max-length="50"' in html


# --- C. sections by type ---


def test_sections_show_their_fields_one_a_row_with_advanced_folded(admin_client):
    post = draft_post(sections=1)
    ImageSectionFactory(post=post, position=2, image__alt_text="A lighthouse", image__caption="At dusk")
    html = change_page(admin_client, post)
    for name in ("position", "content_type", "content", "image", "image_details", "video_url", "duration"):
        assert f'<div class="form-row field-{name}">' in html, name
    assert '<div class="form-row flex-container form-multiline field-title field-subtitle">' in html
    assert html.count('<h4 id="sections-1-1-heading" class="fieldset-heading">Advanced</h4>') == 1
    assert 'id="section-fields" type="application/json"' in html
    details = html.split('<div class="chosen-image"')[1].split("</div>")[0]
    assert "A lighthouse" in details and "At dusk" in details and "alt text and caption</a>" in details
    assert "<img src=" in details
    assert "No image chosen yet" in html  # the text section's (hidden by the script)


def test_a_section_without_alt_text_says_so_with_a_link_to_fix_it(admin_client):
    post = draft_post(sections=0)
    section = ImageSectionFactory(post=post, position=1, image__alt_text="")
    html = change_page(admin_client, post)
    details = html.split('<div class="chosen-image"')[1].split("</div>")[0]
    assert "This image has no alt text: readers using screen readers will hear nothing." in details
    fix = reverse("admin:media_library_image_change", args=[section.image_id])
    assert f'<a href="{fix}" target="_blank" rel="noopener">Add alt text to this image</a>' in details


def test_the_image_field_offers_the_chooser_to_those_who_may_view_images(client, django_user_model):
    post = draft_post(sections=1)
    client_for(client, make_user(django_user_model, "ines", "Editors"))
    assert f'data-image-chooser="{reverse("admin:media_library_image_chooser")}"' in change_page(client, post)
    assert "editorial/chooser.js" in change_page(client, post)
    writer = make_user(django_user_model, "wim", None)  # may edit posts, not see the media library
    writer.user_permissions.add(*Permission.objects.filter(content_type__app_label="content"))
    client_for(client, writer)
    html = change_page(client, post)
    assert "data-image-chooser" not in html and 'name="sections-0-image"' in html  # the raw-id field only


def test_without_script_the_raw_id_field_sets_the_image(editor_client):
    from media_library.tests.factories import ImageFactory

    post = draft_post(sections=1)
    picture = ImageFactory(alt_text="A lighthouse")
    (text,) = post.sections.all()
    row = section_row(0, text, content_type="image", content="", image=str(picture.pk))
    response = editor_client.post(reverse("admin:content_post_change", args=[post.pk]), change_form_data(post, [row]))
    assert response.status_code == 302
    text.refresh_from_db()
    assert text.image_id == picture.pk and text.content_type == "image"
    assert "A lighthouse" in change_page(editor_client, post)
    row = section_row(0, text, content_type="image", content="", image="999999")  # no such image: the field says
    response = editor_client.post(reverse("admin:content_post_change", args=[post.pk]), change_form_data(post, [row]))
    assert response.status_code == 200
    (formset,) = response.context["inline_admin_formsets"]
    assert "Select a valid choice" in str(formset.formset.errors[0]["image"])
    text.refresh_from_db()
    assert text.image_id == picture.pk


def test_the_change_form_posts_every_field_as_before(admin_client):
    post = draft_post(sections=2)
    first, second = post.sections.order_by("position")
    data = change_form_data(post, [section_row(0, first, position=2), section_row(1, second, position=1)])
    assert admin_client.post(reverse("admin:content_post_change", args=[post.pk]), data).status_code == 302
    assert list(Post.objects.get(pk=post.pk).sections.order_by("position").values_list("pk", flat=True)) == [
        second.pk,
        first.pk,
    ]
