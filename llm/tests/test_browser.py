"""An editor asks for a summary in a real Chromium, the worker runs it, the status and metrics pages show it."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from content.tests.factories import PostFactory
from testing.llm_provider import completion

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_editor_generates_a_summary_and_follows_it(browser_page, screenshot_dir, llm_server, django_user_model):
    call_command("loaddata", "prompts", verbosity=0)
    django_user_model.objects.create_superuser("editor", "editor@example.org", "pass-word-123")
    post = PostFactory(title="Tea at five", summary="Old.", published=False)  # a draft: accepting writes its row
    llm_server.reply(completion("Why tea at five o'clock still matters.", prompt_tokens=40, completion_tokens=9))
    page = browser_page
    failed = []
    page.on("response", lambda response: response.status >= 400 and failed.append(response.url))

    page.goto(page.base_url + "/admin/login/?next=/admin/content/post/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", "pass-word-123")
    page.click("input[type=submit]")
    page.check(f"input[name=_selected_action][value='{post.pk}']")
    page.select_option("select[name=action]", "llm_post_summary")
    page.click("button[name=index]")
    expect(page.get_by_text("1 request(s) queued")).to_be_visible()

    call_command("db_worker", queue_name="*", batch=True, reload=False, startup_delay=False, interval=0, verbosity=0)
    page.get_by_role("link", name="Follow their progress").click()
    row = page.locator("#llm-tasks tbody tr").first
    assert "Done" in row.inner_text() and "Tea at five" in row.inner_text()
    page.screenshot(path=str(screenshot_dir / "llm-tasks.png"), full_page=True)
    post.refresh_from_db()
    assert post.summary == "Old."  # an answer is a suggestion until an editor accepts it
    page.goto(f"{page.base_url}/admin/content/post/{post.pk}/change/")
    suggestion = page.locator("#suggestions form.suggestion").first
    assert "Why tea at five o'clock still matters." in suggestion.locator("textarea").input_value()
    page.screenshot(path=str(screenshot_dir / "llm-suggestion.png"), full_page=True)
    suggestion.get_by_role("button", name="Accept (as edited)").click()
    expect(page.get_by_text("Summary accepted into the draft.")).to_be_visible()
    post.refresh_from_db()
    assert post.summary == "Why tea at five o'clock still matters."

    page.goto(page.base_url + "/admin/llm/llmlog/metrics/")
    assert page.locator("svg.llm-chart").count() == 4
    assert "post_summary" in page.locator("table.llm-metrics").nth(1).inner_text()
    page.screenshot(path=str(screenshot_dir / "llm-metrics.png"), full_page=True)
    # the admin has no favicon; nothing else may fail
    assert [url for url in failed if not url.endswith("/favicon.ico")] == []
    assert [error for error in page.console_errors if "status of 404" not in error] == []
