"""Clicking through the workflow panel in a real headless Chromium."""

import pytest

from content.models import Post
from content.tests.editorial.workflow_helpers import draft_post, finish_stages_before, make_user

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def substage_row(page, key):
    return page.locator(f'[data-substage="{key}"]')


def test_publisher_clicks_a_post_from_idea_to_published(browser_page, screenshot_dir, django_user_model):
    page = browser_page
    make_user(django_user_model, "paula", "Publishers")
    post = draft_post(title="Clicked through")
    failed = []  # responses that went wrong; the admin has no favicon, the browser asks anyway
    page.on("response", lambda r: r.status >= 400 and not r.url.endswith("/favicon.ico") and failed.append(r.url))

    page.goto(page.base_url + "/admin/login/")
    page.fill("#id_username", "paula")
    page.fill("#id_password", "pass-word-123")
    page.click("input[type=submit]")
    page.goto(f"{page.base_url}/admin/content/post/{post.pk}/change/")

    start_writing = page.locator('button[data-action="start_writing"]')
    assert start_writing.is_disabled()
    assert "Idea, Research, Outline" in start_writing.get_attribute("title")
    for key, label in (("idea", "Done"), ("research", "Skip"), ("outline", "Start"), ("outline", "Done")):
        substage_row(page, key).get_by_role("button", name=label, exact=True).click()
        page.wait_for_load_state()
    assert substage_row(page, "idea").get_attribute("data-status") == "done"
    assert substage_row(page, "research").get_attribute("data-status") == "skipped"
    assert substage_row(page, "outline").get_attribute("data-status") == "done"

    page.locator('button[data-action="start_writing"]').click()
    page.wait_for_load_state()
    assert "“Start writing”: done. The post is now in Writing." in page.locator(".messagelist").inner_text()
    assert page.locator("#workflow h2").inner_text().startswith("Workflow: Writing")

    finish_stages_before(post, "review", finish_current=True)
    page.reload()
    page.locator('button[data-action="approve"]').click()
    page.wait_for_load_state()
    page.screenshot(path=str(screenshot_dir / "workflow-panel-publishing.png"), full_page=True)
    page.locator('button[data-action="publish"]').click()
    page.wait_for_load_state()
    assert "“Publish now”: done. Readers can see the post now." in page.locator(".messagelist").inner_text()
    assert substage_row(page, "publish").get_attribute("data-status") == "done"
    assert page.locator('button[data-action="unpublish"]').is_enabled()

    post.refresh_from_db()
    assert post.published and post.workflow_stage == "publishing"
    page.goto(page.base_url + post.get_absolute_url())
    assert page.get_by_role("heading", name="Clicked through").first.is_visible()
    assert failed == []
    assert [error for error in page.console_errors if "Failed to load resource" not in error] == []
    assert Post.objects.live().filter(pk=post.pk).exists()
