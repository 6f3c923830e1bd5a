"""The publishing calendar in a real headless Chromium, at a desktop's and a phone's width, under the admin's
CSP: entries shown, missed ones named, rescheduling by dragging and by keyboard through the workflow; axe-core
on the calendar and on the change form's writing tools."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from content.models import Post, WorkflowTransition, WorkingCopy
from content.tests.editorial.test_calendar import at, published, scheduled, scheduled_changes
from content.tests.editorial.test_desk_browser import VIEWPORTS, assert_clean, each_width
from content.tests.editorial.workflow_helpers import draft_post, make_user
from content.tests.site.html_checkers import axe_script  # noqa: F401 (a fixture)
from content.tests.site.test_accessibility import BLOCKING, describe

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def log_in(page, name):
    page.goto(page.base_url + "/admin/login/")
    page.fill("#id_username", name)
    page.fill("#id_password", "pass-word-123")
    page.click("input[type=submit]")
    page.wait_for_load_state()


@pytest.fixture
def publisher_page(browser_page, django_user_model):
    page = browser_page
    page.failed = []
    page.on("response", lambda r: r.status >= 400 and not r.url.endswith("/favicon.ico") and page.failed.append(r.url))
    publisher = make_user(django_user_model, "paul", "Publishers")
    log_in(page, "paul")
    page.user = publisher
    return page


def open_month(page, moment, width="desktop"):
    page.set_viewport_size(VIEWPORTS[width])
    page.goto(f"{page.base_url}/admin/content/post/calendar/?year={moment.year}&month={moment.month}")
    page.wait_for_load_state()


def entry(page, post_id, kind="post"):
    return page.locator(f".calendar-grid #entry-{kind}-{post_id}")


def day(page, moment):
    return page.locator(f"td.calendar-day[data-date='{moment:%Y-%m-%d}']")


@each_width
def test_the_calendar_shows_the_month_and_names_missed_schedules(publisher_page, screenshot_dir, width):
    page = publisher_page
    scheduled("Owls at dawn", at(3, 7), page.user)
    published("Larks at noon", at(5, 12))
    published("Nightjars", at(5, 21), late=True)
    scheduled_changes("Herons, revised", at(9, 8))
    scheduled("Forgotten owls", timezone.now() - timedelta(days=3), page.user)
    open_month(page, at(1), width)
    assert page.locator("h2#calendar-month").inner_text() == f"{at(1):%B %Y}"
    expect(day(page, at(3))).to_contain_text("Owls at dawn")
    expect(day(page, at(5))).to_contain_text("Larks at noon")
    expect(day(page, at(5)).locator(".state-published_late")).to_contain_text("Published late: the schedule was missed")
    expect(day(page, at(9))).to_contain_text("Changes scheduled")
    missed = page.locator(".calendar-missed")
    expect(missed).to_contain_text("Missed schedules: due in the past, not published")
    expect(missed.locator(".state-missed")).to_contain_text("Forgotten owls")
    page.screenshot(path=str(screenshot_dir / f"calendar-month-{width}.png"), full_page=True)
    page.get_by_role("link", name=f"{at(1) + timedelta(days=31):%B %Y} →").click()
    assert page.locator("h2#calendar-month").inner_text() == f"{(at(1) + timedelta(days=31)):%B %Y}"
    page.go_back()
    page.locator(".calendar-nav").get_by_role("link", name="This month").click()
    assert page.locator("h2#calendar-month").inner_text() == f"{timezone.localdate():%B %Y}"
    assert_clean(page)


@each_width
def test_dragging_an_entry_onto_a_day_reschedules_it_through_the_workflow(publisher_page, screenshot_dir, width):
    page = publisher_page
    post = scheduled("Owls at dawn", at(3, 7), page.user)
    scheduled("Anchor", at(17, 12), page.user)  # on a phone only days with entries show: a day to drop on
    open_month(page, at(1), width)
    page.set_viewport_size({"width": VIEWPORTS[width]["width"], "height": 3000})  # both ends of the drag at once
    entry(page, post.pk).drag_to(day(page, at(17)))
    page.wait_for_url(f"**month={at(17).month}#entry-post-{post.pk}")
    page.set_viewport_size(VIEWPORTS[width])
    expect(page.locator(".messagelist")).to_contain_text("“Owls at dawn” rescheduled. It is now due on")
    expect(day(page, at(17))).to_contain_text("Owls at dawn")
    post.refresh_from_db()
    assert post.publish_at == at(17, 7)  # the day it was dropped on, at its own time of day
    step = WorkflowTransition.objects.filter(post=post, action="schedule").first()
    assert step.note == "Rescheduled from the calendar." and step.user == page.user
    page.screenshot(path=str(screenshot_dir / f"calendar-dragged-{width}.png"), full_page=False)
    assert_clean(page)


@each_width
def test_an_entry_is_rescheduled_with_the_keyboard(publisher_page, screenshot_dir, width):
    page = publisher_page
    copy = scheduled_changes("Herons, revised", at(9, 8))
    open_month(page, at(1), width)
    summary = entry(page, copy.post_id, "changes").locator("summary")
    summary.focus()
    page.keyboard.press("Enter")
    when = page.get_by_label("New time").first
    expect(when).to_be_visible()
    page.keyboard.press("Tab")
    assert when.evaluate("input => input === document.activeElement")
    when.fill(f"{at(14, 16):%Y-%m-%dT%H:%M}")
    page.screenshot(path=str(screenshot_dir / f"calendar-reschedule-form-{width}.png"), full_page=False)
    page.keyboard.press("Enter")  # sends the form
    page.wait_for_url(f"**#entry-changes-{copy.post_id}")
    copy.refresh_from_db()
    assert copy.publish_at == at(14, 16) and copy.stage == WorkingCopy.Stage.APPROVED
    expect(day(page, at(14))).to_contain_text("Herons, revised")
    assert_clean(page)


def test_editors_see_the_calendar_read_only(browser_page, django_user_model, screenshot_dir):
    page = browser_page
    publisher = make_user(django_user_model, "paul", "Publishers")
    make_user(django_user_model, "edna", "Editors")
    post = scheduled("Owls at dawn", at(3, 7), publisher)
    log_in(page, "edna")
    page.goto(page.base_url + "/admin/")
    page.get_by_role("link", name="Publishing calendar").click()
    page.get_by_role("link", name=f"{at(1):%B %Y} →").click()
    expect(entry(page, post.pk)).to_contain_text("Owls at dawn")
    assert entry(page, post.pk).get_attribute("draggable") is None
    assert page.locator(".entry-reschedule").count() == 0
    expect(page.locator(".calendar-help")).to_contain_text("read-only for you")
    page.screenshot(path=str(screenshot_dir / "calendar-read-only.png"), full_page=True)
    assert Post.objects.get(pk=post.pk).publish_at == at(3, 7)
    assert [error for error in page.console_errors if "Failed to load resource" not in error] == []


def test_the_calendar_and_the_writing_tools_have_no_serious_accessibility_violations(
    publisher_page,
    axe_script,  # noqa: F811
):
    """axe-core on what this page and the change form's writing tools add (the admin's own parts aside)."""
    page = publisher_page
    page.add_init_script(script=axe_script)
    scheduled("Owls at dawn", at(3, 7), page.user)
    published("Nightjars", at(5, 21), late=True)
    scheduled("Forgotten owls", timezone.now() - timedelta(days=3), page.user)
    post = draft_post(title="Accessible")
    found = {}
    for name, selector in (
        ("next month", ".calendar-page"),
        ("this month", ".calendar-page"),
        ("writing", ".md-editor, .md-post-count"),
    ):
        if name == "next month":
            open_month(page, at(1))
            page.locator(".calendar-grid .entry-reschedule summary").first.click()
        elif name == "this month":
            open_month(page, timezone.localdate())
        else:
            page.goto(f"{page.base_url}/admin/content/post/{post.pk}/change/")
            page.get_by_role("button", name="Show preview").first.click()
            page.locator(".md-preview section").first.wait_for()
        context = {"include": [[part.strip()] for part in selector.split(",")]}
        results = page.evaluate("context => axe.run(context, {resultTypes: ['violations']})", context)
        blocking = [violation for violation in results["violations"] if violation["impact"] in BLOCKING]
        if blocking:
            found[name] = describe(blocking)
    assert found == {}, "\n".join(f"{name}:\n{text}" for name, text in found.items())
