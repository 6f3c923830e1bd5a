"""Autosave of the change form: kept per editor and post, offered back with a diff; no revision, nothing readers see."""

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from content.editorial import revisions
from content.models import Autosave, Post
from content.site.content_state import content_state
from content.tests.editorial.test_admin import change_form_data, section_row
from content.tests.editorial.workflow_helpers import client_for, make_user, messages_of
from content.tests.factories import PostFactory, SectionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def post():
    post = PostFactory(title="Saved title")
    SectionFactory(post=post, position=1, title="Part", content="Words.")
    return post


def form_data(post, **values):
    return change_form_data(post, [section_row(0, post.sections.get())], **values)


def autosave(client, post, data):
    return client.post(reverse("admin:content_post_autosave", args=[post.pk]), data)


def test_an_autosave_is_kept_without_a_revision_a_version_or_a_cache_change(staff_client, post):
    state = content_state()
    response = autosave(staff_client, post, form_data(post, title="Typed, not saved"))
    assert response.status_code == 200 and "Unsaved changes kept at" in response.json()["message"]
    kept = Autosave.objects.get(post=post, user=staff_client.user)
    assert kept.data["title"] == ["Typed, not saved"] and "csrfmiddlewaretoken" not in kept.data
    post.refresh_from_db()
    assert (post.title, post.version) == ("Saved title", 1)
    assert not revisions.post_versions(post).exists()
    assert content_state() == state
    assert "Typed, not saved" not in Client().get(post.get_absolute_url()).content.decode()
    autosave(staff_client, post, form_data(post, title="Typed again"))
    assert Autosave.objects.filter(post=post).count() == 1  # one per editor and post, not a history


def test_reopening_offers_the_autosave_with_a_diff_and_restores_it(staff_client, post):
    autosave(staff_client, post, form_data(post, title="Typed, not saved"))
    page = staff_client.get(reverse("admin:content_post_change", args=[post.pk])).content.decode()
    assert "Restore your unsaved changes from" in page
    assert "Saved title" in page and "Typed, not saved" in page  # the diff
    restored = staff_client.get(reverse("admin:content_post_change", args=[post.pk]) + "?restore_autosave=1")
    assert restored.context["adminform"].form["title"].value() == "Typed, not saved"
    assert "are in the form below" in restored.content.decode()
    Post.objects.get(pk=post.pk)  # nothing saved by restoring
    assert Post.objects.get(pk=post.pk).title == "Saved title"


def test_a_save_or_a_discard_removes_the_autosave(staff_client, post):
    autosave(staff_client, post, form_data(post, title="Typed"))
    staff_client.post(reverse("admin:content_post_change", args=[post.pk]), form_data(post, title="Saved now"))
    assert not Autosave.objects.exists()
    autosave(staff_client, post, form_data(post, title="Typed again"))
    response = staff_client.post(reverse("admin:content_post_autosave_discard", args=[post.pk]), follow=True)
    assert "Your unsaved changes were discarded." in messages_of(response)
    assert not Autosave.objects.exists()


def test_autosaves_are_per_editor(staff_client, post, client, django_user_model):
    autosave(staff_client, post, form_data(post, title="Mine"))
    other = client_for(Client(), make_user(django_user_model, "otto", "Editors"))
    page = other.get(reverse("admin:content_post_change", args=[post.pk])).content.decode()
    assert "Restore your unsaved changes" not in page


@pytest.mark.parametrize(
    ("data", "status", "reason"),
    [
        ({"title": "x" * 2_100_000, "version": "1"}, 400, "too large"),
        ({"title": "a\x00b", "version": "1"}, 400, "NUL"),
        ({"nothing": "here"}, 400, "not the post form"),
    ],
)
def test_huge_or_malformed_autosaves_are_refused(staff_client, post, data, status, reason):
    response = autosave(staff_client, post, data)
    assert response.status_code == status and reason in response.json()["error"]
    assert not Autosave.objects.exists()


def test_autosave_endpoints_refuse_what_they_should(staff_client, post):
    assert staff_client.get(reverse("admin:content_post_autosave", args=[post.pk])).status_code == 405
    assert autosave(staff_client, Post(pk=999_999), {"title": "x", "version": "1"}).status_code == 404
    assert autosave(Client(), post, {"title": "x", "version": "1"}).status_code == 302  # to the login page
    assert staff_client.post(reverse("admin:content_post_autosave", args=["nonsense"]), {}).status_code == 404


def test_purge_autosaves_removes_old_ones(staff_client, post, capsys):
    autosave(staff_client, post, form_data(post, title="Old"))
    Autosave.objects.update(saved_at=timezone.now() - timezone.timedelta(days=40))
    call_command("purge_autosaves", "--older-than", "30d")
    assert not Autosave.objects.exists() and "Removed 1 autosaves" in capsys.readouterr().out


def log_in(page, username):
    page.goto(page.base_url + "/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pass-word-123")
    page.click("input[type=submit]")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_typed_changes_survive_closing_the_tab(browser_page, settings, django_user_model, screenshot_dir):
    settings.AUTOSAVE_SECONDS = 1
    page = browser_page
    make_user(django_user_model, "edna", "Editors")
    post = PostFactory(title="Before typing", published=False)
    SectionFactory(post=post, position=1)
    browser, base_url = page.context.browser, page.base_url
    log_in(page, "edna")
    page.goto(f"{base_url}/admin/content/post/{post.pk}/change/")
    page.fill("#id_title", "")
    page.click("#id_title")
    page.keyboard.type("Typed in the browser")  # real key presses: the page may then warn on leaving
    page.locator("#autosave-status", has_text="kept at").wait_for(timeout=10_000)
    page.on("dialog", lambda dialog: dialog.accept())
    page.fill("#id_subtitle", "")
    page.click("#id_subtitle")
    page.keyboard.type("And a subtitle")  # typed after the last autosave: kept as the tab closes
    # Leaving warns: the page cancels the unload (headless Chromium shows no dialog for it, so ask the page).
    leaving = "() => { const e = new Event('beforeunload', {cancelable: true}); dispatchEvent(e); "
    leaving += "return e.defaultPrevented; }"
    assert page.evaluate(leaving) is True
    page.close(run_before_unload=True)  # the tab closes
    again = browser.new_context().new_page()  # the editor comes back later, in a new browser session
    again.base_url = base_url
    again.wait_for_timeout(500)
    log_in(again, "edna")
    again.goto(f"{base_url}/admin/content/post/{post.pk}/change/")
    offer = again.locator("#autosave-offer")
    assert "Restore your unsaved changes from" in offer.inner_text() and "Typed in the browser" in offer.inner_text()
    again.screenshot(path=str(screenshot_dir / "autosave-offer.png"), full_page=True)
    offer.get_by_role("link", name="Restore them").click()
    again.wait_for_load_state()
    assert again.input_value("#id_title") == "Typed in the browser"
    assert again.input_value("#id_subtitle") == "And a subtitle"
    assert Post.objects.get(pk=post.pk).title == "Before typing"
