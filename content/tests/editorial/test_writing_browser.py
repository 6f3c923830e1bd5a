"""Writing on the change form in a real headless Chromium, at a desktop's and a phone's width, under the
admin's CSP: the Markdown toolbar and its shortcuts, the live preview, the reading time."""

import pytest
from playwright.sync_api import expect

from content.models import Post
from content.tests.editorial.test_desk_browser import VIEWPORTS, assert_clean, desk, each_width, open_post, section
from content.tests.editorial.workflow_helpers import draft_post
from content.tests.factories import SectionFactory

__all__ = ["desk"]  # the fixture, shared with the desk's tests
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def text_of(form):
    return form.locator("textarea[name$='-content']")


def type_over(box, text):
    box.click()
    box.press("ControlOrMeta+a")
    box.page.keyboard.type(text)


@each_width
def test_the_toolbar_and_its_shortcuts_write_markdown(desk, screenshot_dir, width):
    page = desk
    post = draft_post(title="Formatting", sections=0)
    SectionFactory(post=post, position=1, title="Words", content="")
    open_post(page, post, width)
    first = section(page, 1)
    box = text_of(first)
    toolbar = first.get_by_role("toolbar", name="Formatting")
    names = [button.get_attribute("aria-label") for button in toolbar.get_by_role("button").all()]
    assert names == ["Bold", "Italic", "Heading", "Link", "List", "Quote", "Code"]

    type_over(box, "night owls")
    box.press("Shift+Home")
    toolbar.get_by_role("button", name="Bold").click()
    assert box.input_value() == "**night owls**"
    toolbar.get_by_role("button", name="Bold").click()  # again: the marks go
    assert box.input_value() == "night owls"
    box.press("ControlOrMeta+i")
    assert box.input_value() == "_night owls_"
    box.press("End")
    page.keyboard.type(" and ")
    box.press("ControlOrMeta+b")
    page.keyboard.type("larks")  # the placeholder was selected: typing replaces it
    assert box.input_value() == "_night owls_ and **larks**"
    box.press("End")
    page.keyboard.type(" at ")
    box.press("ControlOrMeta+k")
    assert box.evaluate("t => t.value.slice(t.selectionStart, t.selectionEnd)") == "https://"
    page.keyboard.type("https://example.org/owls")
    assert box.input_value() == "_night owls_ and **larks** at [link text](https://example.org/owls)"

    for name, expected in [
        ("Heading", "## _night owls_"),
        ("List", "- _night owls_"),
        ("Quote", "> _night owls_"),
    ]:
        toolbar.get_by_role("button", name=name).click()
        assert box.input_value().startswith(expected), name
        toolbar.get_by_role("button", name=name).click()
        assert box.input_value().startswith("_night owls_"), name
    box.press("ControlOrMeta+a")
    toolbar.get_by_role("button", name="Code").click()
    assert box.input_value().startswith("`_night owls_")

    # The toolbar is one stop in the tab order; the arrow keys move inside it.
    toolbar.get_by_role("button", name="Bold").focus()
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "Italic"
    page.keyboard.press("End")
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "Code"
    # The count follows the toolbar too: code is read as it stands ("Words" and 7 words of code).
    expect(first.locator(".md-count-text")).to_have_text("This section: 8 words · 1 min read")
    box.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir / f"writing-toolbar-{width}.png"), full_page=False)
    page.locator("input[name=_continue]").click()
    page.wait_for_load_state()
    assert Post.objects.get(pk=post.pk).sections.get().content.startswith("`_night owls_")
    assert_clean(page)


@each_width
def test_the_preview_shows_the_section_as_readers_get_it_and_follows_typing(desk, screenshot_dir, width):
    page = desk
    post = draft_post(title="Previewed", sections=0)
    SectionFactory(post=post, position=1, title="Field notes", content="First *light*.")
    SectionFactory(post=post, position=2, title="Second", content="one two three")
    open_post(page, post, width)
    first = section(page, 1)
    toggle = first.get_by_role("button", name="Show preview")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    toggle.click()
    section(page, 2).get_by_role("button", name="Show preview").click()  # at once: each gets its answer
    pane = first.get_by_role("region", name="Preview of this section as readers see it")
    expect(pane.locator("section#field-notes h2")).to_contain_text("Field notes")
    expect(section(page, 2).locator(".md-preview section#second")).to_contain_text("one two three")
    section(page, 2).get_by_role("button", name="Hide preview").click()
    expect(pane.locator(".prose em")).to_have_text("light")
    expect(first.get_by_role("button", name="Hide preview")).to_have_attribute("aria-expanded", "true")

    box = text_of(first)
    box.click()
    box.press("ControlOrMeta+End")
    page.keyboard.type("\n\n## A heading\n\nWith a [link](https://example.org/) and <script>alert(1)</script>.")
    expect(pane.locator("h3")).to_have_text("A heading")  # below the section's own h2, as on the public page
    expect(pane.locator("a[href='https://example.org/']")).to_have_attribute("rel", "noopener noreferrer nofollow")
    assert pane.locator("script").count() == 0  # shown as text, as on the public page (and counted so)
    first.locator("input[name$='-title']").fill("Notes from the field")
    expect(pane.locator("h2")).to_contain_text("Notes from the field")

    page.locator("#id_content").fill("An introduction.")  # with "Previewed" and "A subtitle": 5 words
    counts = page.locator(".md-post-count")
    expect(first.locator(".md-count-text")).to_have_text("This section: 13 words · 1 min read")
    expect(section(page, 2).locator(".md-count-text")).to_have_text("This section: 4 words · 1 min read")
    expect(page.locator(".md-editor:has(#id_content) .md-count-text")).to_have_text(
        "Title and introduction: 5 words · 1 min read"
    )
    expect(counts.locator(".md-count-text")).to_have_text("The whole post: 22 words · 1 min read")
    section(page, 2).locator("textarea[name$='-content']").fill("word " * 500)
    expect(counts.locator(".md-count-text")).to_have_text("The whole post: 519 words · 3 min read")
    pane.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir / f"writing-preview-{width}.png"), full_page=False)

    # A type other than text has no toolbar nor preview; its words still count.
    section(page, 2).locator("select[name$='-content_type']").select_option("audio")
    expect(section(page, 2).get_by_role("toolbar")).to_be_hidden()

    with page.expect_popup() as popup_info:
        counts.get_by_role("button", name="Preview the whole post").click()
    whole = popup_info.value
    whole.wait_for_load_state()
    assert whole.locator("h1").inner_text() == "Previewed"
    assert whole.locator("#notes-from-the-field h3").inner_text() == "A heading"
    assert whole.locator(".preview-banner").is_visible()
    whole.set_viewport_size(VIEWPORTS[width])
    whole.screenshot(path=str(screenshot_dir / f"writing-whole-post-preview-{width}.png"), full_page=False)
    whole.close()
    assert Post.objects.get(pk=post.pk).sections.get(position=1).title == "Field notes"  # nothing saved
    assert_clean(page)


def test_a_new_section_gets_the_toolbar_and_its_count(desk):
    page = desk
    post = draft_post(title="Growing", sections=1)
    open_post(page, post)
    page.get_by_role("button", name="Add another Section").click()
    added = section(page, 2)
    box = text_of(added)
    box.fill("three new words")
    expect(added.locator(".md-count-text")).to_have_text("This section: 3 words · 1 min read")
    box.press("ControlOrMeta+a")
    box.press("ControlOrMeta+b")
    assert box.input_value() == "**three new words**"
    added.get_by_role("button", name="Show preview").click()
    expect(added.locator(".md-preview strong")).to_have_text("three new words")
    # Made a video: no preview (the admin's CSP refuses players' frames), so no refused frame either.
    added.locator("select[name$='-content_type']").select_option("video")
    added.locator("input[name$='-video_url']").fill("https://www.youtube.com/watch?v=dQw4w9WgXcQ")
    page.wait_for_timeout(800)  # past the preview's pause after typing
    expect(added.locator(".md-preview")).to_be_hidden()
    assert added.locator(".md-preview iframe").count() == 0
    assert_clean(page)


def test_a_preview_after_the_session_ended_says_so(desk):
    from django.contrib.sessions.models import Session

    page = desk
    post = draft_post(title="Long afternoon", sections=1)
    open_post(page, post)
    first = section(page, 1)
    first.get_by_role("button", name="Show preview").click()
    expect(first.locator(".md-preview section")).to_be_visible()
    Session.objects.all().delete()  # logged out while writing
    text_of(first).fill("More words.")
    expect(first.locator(".md-preview")).to_have_text(
        "No preview: You are no longer logged in: log in again in another tab, then go on writing here."
    )
    assert page.locator("#id_title").is_visible()  # the page and what was typed stay
