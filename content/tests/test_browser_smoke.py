import pytest

from content.tests.factories import PostFactory, SectionFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_index_and_post_render_in_chromium(browser_page, screenshot_dir):
    post = PostFactory(title="Browser check")
    SectionFactory(post=post, title="Hello from a section")
    browser_page.goto(browser_page.base_url + "/")
    browser_page.get_by_role("link", name="Browser check").click()
    browser_page.wait_for_url(f"**{post.get_absolute_url()}")
    assert browser_page.get_by_role("heading", name="Hello from a section").is_visible()
    browser_page.screenshot(path=str(screenshot_dir / "post.png"), full_page=True)
    assert browser_page.console_errors == []
