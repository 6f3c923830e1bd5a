"""The content checks panel in a real headless Chromium, at a desktop's and a phone's width, under the admin's CSP:
it shows the failures, re-checks the unsaved form as the editor types, takes them to the field to fix, and the
workflow's publish step is refused through the real admin while a required check fails."""

import pytest
from playwright.sync_api import expect

from content.models import Post
from content.tests.editorial.test_desk_browser import VIEWPORTS, assert_clean, open_post
from content.tests.editorial.workflow_helpers import draft_post, finish_stages_before, make_user
from content.tests.factories import ImageSectionFactory, SectionFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

each_width = pytest.mark.parametrize("width", list(VIEWPORTS))
LONGER = " along the harbour, with owls"  # "A walk at night" + this: 44 characters


def log_in(page, django_user_model, name: str, group: str):
    page.failed = []
    page.on("response", lambda r: r.status >= 400 and not r.url.endswith("/favicon.ico") and page.failed.append(r.url))
    page.on("dialog", lambda dialog: dialog.accept())
    make_user(django_user_model, name, group)
    page.goto(page.base_url + "/admin/login/")
    page.fill("#id_username", name)
    page.fill("#id_password", "pass-word-123")
    page.click("input[type=submit]")
    page.wait_for_load_state()
    return page


def check(page, name):
    return page.locator(f'#checklist [data-check="{name}"]')


@each_width
def test_the_panel_shows_failures_rechecks_as_the_editor_types_and_leads_to_the_field(
    browser_page, django_user_model, screenshot_dir, width
):
    page = log_in(browser_page, django_user_model, "edna", "Editors")
    post = draft_post(sections=0, title="A walk at night", summary="")
    SectionFactory(post=post, position=1, title="The harbour", content="#### Too deep\n\nWe walked. It was dark.")
    ImageSectionFactory(post=post, position=2, title="An owl", image__alt_text="")
    open_post(page, post, width)

    panel = page.locator("details#checklist")
    expect(panel).to_have_attribute("open", "")
    expect(check(page, "title-length")).to_have_attribute("data-ok", "false")
    expect(check(page, "title-length")).to_contain_text("The title is 15 characters long")
    expect(check(page, "alt-text")).to_have_attribute("data-ok", "false")
    expect(check(page, "heading-order")).to_have_attribute("data-ok", "false")
    expect(panel.locator("[data-checklist-status]")).to_contain_text("1 required check fails")
    # Below the post's fields at these widths, as the workflow panel is.
    assert panel.bounding_box()["y"] > page.locator("#workflow").bounding_box()["y"]
    panel.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir / f"checklist-failures-{width}.png"), full_page=True)

    # The link takes the editor to the title, focused; a longer title passes before anything is saved.
    check(page, "title-length").get_by_role("link", name="Edit the title").click()
    expect(page.locator("#id_title")).to_be_focused()
    page.keyboard.press("End")
    page.keyboard.type(LONGER)
    expect(check(page, "title-length")).to_have_attribute("data-ok", "true")
    expect(check(page, "title-length")).to_contain_text("The title is 44 characters long")
    expect(panel.locator("[data-checklist-status]")).to_contain_text("1 required check fails")
    page.screenshot(path=str(screenshot_dir / f"checklist-title-passes-{width}.png"), full_page=True)

    # A section's problem leads into that section's text.
    check(page, "heading-order").get_by_role("link", name="Edit the text").click()
    expect(page.locator("#id_sections-0-content")).to_be_focused()
    page.keyboard.press("Control+Home")
    page.keyboard.press("Delete")  # "#### Too deep" becomes "### Too deep": one level under the section's title
    expect(check(page, "heading-order")).to_have_attribute("data-ok", "true")

    assert Post.objects.get(pk=post.pk).title == "A walk at night"  # checked, not saved
    assert_clean(page)


@each_width
def test_the_publish_step_is_refused_through_the_admin_while_a_required_check_fails(
    browser_page, django_user_model, screenshot_dir, settings, width
):
    settings.CONTENT_CHECKS = {"title_length": "required"}
    page = log_in(browser_page, django_user_model, "paula", "Publishers")
    post = finish_stages_before(draft_post(sections=1, title="A walk at night"), "publishing")
    open_post(page, post, width)
    expect(check(page, "title-length")).to_contain_text("Required")

    page.locator('#workflow button[data-action="publish"]').click()
    page.wait_for_load_state()
    message = page.locator(".messagelist .error")
    expect(message).to_contain_text("“Publish now” is refused until the content checks pass")
    expect(message).to_contain_text("The title is 15 characters long")
    assert not Post.objects.get(pk=post.pk).published
    page.screenshot(path=str(screenshot_dir / f"checklist-publish-refused-{width}.png"), full_page=True)

    # Fixed in the form and saved, the same step goes through.
    check(page, "title-length").get_by_role("link", name="Edit the title").click()
    expect(page.locator("#id_title")).to_be_focused()
    page.keyboard.press("End")
    page.keyboard.type(LONGER)
    expect(check(page, "title-length")).to_have_attribute("data-ok", "true")
    page.locator("input[name=_continue]").click()
    page.wait_for_load_state()
    page.locator('#workflow button[data-action="publish"]').click()
    page.wait_for_load_state()
    expect(page.locator(".messagelist")).to_contain_text("“Publish now”: done. Readers can see the post now.")
    assert Post.objects.live().filter(pk=post.pk).exists()
    assert_clean(page)
