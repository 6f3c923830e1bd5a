"""The editor's desk in a real headless Chromium, at a desktop's and a phone's width, under the admin's CSP."""

import pytest
from playwright.sync_api import expect

from content.models import Post
from content.tests.editorial.workflow_helpers import draft_post, make_user
from content.tests.factories import ImageSectionFactory, SectionFactory, TagFactory, VideoSectionFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
each_width = pytest.mark.parametrize("width", list(VIEWPORTS))


@pytest.fixture
def desk(browser_page, django_user_model):
    """The browser page, logged in as an Editor, noting failed requests (the browser's favicon aside)."""
    page = browser_page
    page.failed = []
    page.on("response", lambda r: r.status >= 400 and not r.url.endswith("/favicon.ico") and page.failed.append(r.url))
    page.on("dialog", lambda dialog: dialog.accept())
    make_user(django_user_model, "edna", "Editors")
    page.goto(page.base_url + "/admin/login/")
    page.fill("#id_username", "edna")
    page.fill("#id_password", "pass-word-123")
    page.click("input[type=submit]")
    page.wait_for_load_state()
    return page


def open_post(page, post, width="desktop"):
    page.set_viewport_size(VIEWPORTS[width])
    page.goto(f"{page.base_url}/admin/content/post/{post.pk}/change/")
    page.wait_for_load_state()


def assert_clean(page, *expected_failures):
    """No console error (a CSP violation is one) and no failed request but those expected."""
    assert [error for error in page.console_errors if "Failed to load resource" not in error] == []
    assert [url for url in page.failed if not any(url.endswith(path) for path in expected_failures)] == []


def section(page, number):
    """The section form shown at ``number`` (1-based), in page order."""
    return page.locator("#sections-group .inline-related:not(.empty-form)").nth(number - 1)


def order_in_database(post) -> list[str]:
    return list(Post.objects.get(pk=post.pk).sections.order_by("position").values_list("title", flat=True))


# --- A. the house style ---


@each_width
def test_the_desk_is_branded_and_the_workflow_panel_folds_and_remembers(desk, screenshot_dir, width):
    page = desk
    post = draft_post(title="A walk at night")
    open_post(page, post, width)
    assert page.locator("#site-name").inner_text() == "The Blog"
    panel = page.locator("details#workflow")
    assert panel.evaluate("element => element.open") is True
    # Below the post's fields at these widths, never before the title.
    title_y = page.locator("#id_title").bounding_box()["y"]
    assert panel.bounding_box()["y"] > page.locator(".submit-row").last.bounding_box()["y"] > title_y
    page.screenshot(path=str(screenshot_dir / f"desk-change-page-{width}.png"), full_page=True)

    panel.locator("summary h2").click()
    assert panel.evaluate("element => element.open") is False
    page.reload()
    assert page.locator("details#workflow").evaluate("element => element.open") is False
    assert page.evaluate("localStorage.getItem('editorial:panel:workflow-panel')") == "closed"
    page.screenshot(path=str(screenshot_dir / f"desk-workflow-folded-{width}.png"), full_page=True)
    page.locator("details#workflow summary h2").click()
    page.reload()
    assert page.locator("details#workflow").evaluate("element => element.open") is True

    page.goto(page.base_url + "/admin/auth/user/")  # an Editor may not manage accounts
    assert page.locator("h1").inner_text() == "You may not open this page"
    assert page.get_by_role("link", name="Back to The Blog").is_visible()
    page.screenshot(path=str(screenshot_dir / f"desk-403-{width}.png"), full_page=True)
    page.goto(page.base_url + "/admin/")
    assert "The editor's desk" in page.locator("h1").inner_text()
    page.screenshot(path=str(screenshot_dir / f"desk-index-{width}.png"), full_page=True)
    assert_clean(page, "/admin/auth/user/")


def test_on_a_wide_screen_the_workflow_sits_beside_the_form(desk, screenshot_dir):
    page = desk
    post = draft_post(title="Wide")
    page.set_viewport_size({"width": 1920, "height": 1000})
    page.goto(f"{page.base_url}/admin/content/post/{post.pk}/change/")
    form, panel = page.locator(".post-desk-main").bounding_box(), page.locator("#workflow").bounding_box()
    assert panel["x"] > form["x"] + form["width"] - 1 and panel["y"] < form["y"] + 200
    page.screenshot(path=str(screenshot_dir / "desk-change-page-wide.png"), full_page=True)
    assert_clean(page)


# --- B. tags ---


@each_width
def test_tags_are_suggested_and_their_length_checked_before_saving(desk, screenshot_dir, width):
    page = desk
    for name in ("night photography", "nightlife", "midnight", "daylight"):
        TagFactory(name=name, slug=name.replace(" ", "-"))
    post = draft_post(title="Tagged")
    open_post(page, post, width)
    box = page.locator("#id_tags")
    box.click()
    page.keyboard.type("night p")
    options = page.locator("#id_tags_suggestions [role=option]")
    options.first.wait_for()
    assert options.all_inner_texts() == ["night photography"]
    assert box.get_attribute("aria-expanded") == "true"
    page.keyboard.type("x")  # nothing matches "night px"
    expect(box).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("Backspace")
    options.first.wait_for()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")  # chooses; does not send the form
    assert box.input_value() == "night photography, "
    assert page.locator("#id_tags_status").inner_text().startswith("Saved as 1 tag: night photography")
    page.keyboard.type("mid")
    options.first.wait_for()
    assert options.all_inner_texts() == ["midnight"]
    page.screenshot(path=str(screenshot_dir / f"desk-tags-suggested-{width}.png"), full_page=False)
    options.first.click()
    assert box.input_value() == "night photography, midnight, "

    page.keyboard.type("a" * 51)
    status = page.locator("#id_tags_status.too-long")
    assert "has 51 characters: a tag can have at most 50" in status.inner_text()
    assert box.get_attribute("aria-invalid") == "true"
    box.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir / f"desk-tags-too-long-{width}.png"), full_page=False)
    page.keyboard.press("Backspace")
    assert page.locator("#id_tags_status.too-long").count() == 0
    page.locator("input[name=_continue]").click()
    page.wait_for_load_state()
    assert sorted(Post.objects.get(pk=post.pk).tags.names()) == ["a" * 50, "midnight", "night photography"]
    assert_clean(page)


# --- C. sections by type ---


def loaded(image, seconds: float = 5) -> bool:
    for _ in range(int(seconds * 10)):
        if image.evaluate("img => img.complete && img.naturalWidth > 0"):
            return True
        image.page.wait_for_timeout(100)
    return False


def visible_fields(form) -> list[str]:
    """The field rows shown outside "Advanced", by field name (a row of two as ``title+subtitle``)."""
    names = form.locator(".form-row").evaluate_all(
        "rows => rows.filter(row => row.offsetParent !== null && !row.closest('details')).map(row => "
        "[...row.classList].filter(c => c.startsWith('field-')).map(c => c.slice(6)).join('+'))"
    )
    return names


@each_width
def test_each_section_shows_what_its_type_needs(desk, screenshot_dir, width):
    page = desk
    post = draft_post(title="Mixed media", sections=0)
    SectionFactory(post=post, position=1, title="Words")
    ImageSectionFactory(post=post, position=2, title="Picture", image__caption="Teal, at dusk")
    VideoSectionFactory(post=post, position=3, title="Film", duration=212)
    open_post(page, post, width)
    text, image, video = section(page, 1), section(page, 2), section(page, 3)
    assert visible_fields(text) == ["content_type", "title+subtitle", "content"]
    assert visible_fields(image) == ["content_type", "title+subtitle", "image", "image_details"]
    assert visible_fields(video) == ["content_type", "title+subtitle", "video_url", "duration"]
    assert video.locator("input[name$='-duration']").input_value() == "3:32"
    thumbnail = image.locator(".chosen-image img")
    thumbnail.scroll_into_view_if_needed()  # loaded lazily
    assert loaded(thumbnail)
    assert "Teal, at dusk" in image.locator(".chosen-image").inner_text()
    advanced = text.locator("details:has(h4:text('Advanced'))")
    assert advanced.evaluate("element => element.open") is False
    page.screenshot(path=str(screenshot_dir / f"desk-sections-by-type-{width}.png"), full_page=True)

    # A new type shows its fields at once; text it no longer needs stays while it holds something.
    text.locator("select[name$='-content_type']").select_option("audio")
    assert visible_fields(text) == ["content_type", "title+subtitle", "content", "audio_url", "duration"]
    video.locator("select[name$='-content_type']").select_option("image")
    assert "An image section does not use this field" in video.locator(".field-video_url").inner_text()
    assert "field-duration" in video.locator(".form-row:visible").last.get_attribute("class")
    page.get_by_role("button", name="Add another Section").click()
    added = section(page, 4)
    assert visible_fields(added) == ["content_type", "title+subtitle", "content"]
    added.locator("input[name$='-title']").fill("Added")
    added.locator("textarea[name$='-content']").fill("New words.")
    video.locator("select[name$='-content_type']").select_option("video")
    text.locator("input[name$='-audio_url']").fill("https://example.org/talk.mp3")
    text.locator("input[name$='-duration']").fill("12:05")
    page.screenshot(path=str(screenshot_dir / f"desk-sections-changed-{width}.png"), full_page=True)
    page.locator("input[name=_continue]").click()
    page.wait_for_load_state()
    assert page.locator(".errorlist").count() == 0, page.locator(".errorlist").all_inner_texts()
    words = Post.objects.get(pk=post.pk).sections.get(title="Words")
    assert (words.content_type, words.audio_url, words.duration) == ("audio", "https://example.org/talk.mp3", 725)
    assert order_in_database(post) == ["Words", "Picture", "Film", "Added"]
    assert_clean(page)


@each_width
def test_without_script_every_field_shows_and_the_form_works(browser_page, django_user_model, screenshot_dir, width):
    make_user(django_user_model, "edna", "Editors")
    post = draft_post(title="No script", sections=0)
    SectionFactory(post=post, position=1, title="First")
    SectionFactory(post=post, position=2, title="Second")
    context = browser_page.context.browser.new_context(java_script_enabled=False, viewport=VIEWPORTS[width])
    page = context.new_page()
    base = browser_page.base_url
    page.goto(base + "/admin/login/")
    page.fill("#id_username", "edna")
    page.fill("#id_password", "pass-word-123")
    page.click("input[type=submit]")
    page.goto(f"{base}/admin/content/post/{post.pk}/change/")
    first = page.locator("#sections-0")
    for name in ("position", "content", "image", "image_details", "video_url", "audio_url", "duration"):
        assert first.locator(f".form-row.field-{name}").is_visible(), name
    assert page.locator(".section-tools").count() == 0 and page.locator("details#workflow[open]").count() == 1
    page.screenshot(path=str(screenshot_dir / f"desk-no-javascript-{width}.png"), full_page=True)
    page.fill("#id_sections-1-position", "1")  # "give it the position of the one it should come before"
    page.click("input[name=_continue]")
    assert order_in_database(post) == ["Second", "First"]
    context.close()


# --- D. ordering ---


@each_width
def test_a_section_moves_up_with_the_keyboard_alone(desk, screenshot_dir, width):
    page = desk
    post = draft_post(title="Keyboard", sections=0)
    for number, title in enumerate(("One", "Two", "Three"), start=1):
        SectionFactory(post=post, position=number, title=title)
    open_post(page, post, width)
    assert not page.locator("#sections-0 .form-row.field-position").is_visible()  # the buttons replace it
    section(page, 1).locator("summary").last.focus()  # the first section's last control: "Advanced"
    page.keyboard.press("Tab")
    move_up = section(page, 2).get_by_role("button", name="Move up")
    assert move_up.evaluate("button => button === document.activeElement")
    page.keyboard.press("Enter")
    assert page.locator(".section-order-status").inner_text() == "Two is now section 1 of 3."
    assert page.evaluate("document.activeElement.textContent") == "Move up"  # the focus stays on the button
    assert section(page, 1).locator(".inline_label").inner_text().startswith("Two")
    assert section(page, 1).get_by_role("button", name="Move up").get_attribute("aria-disabled") == "true"
    page.screenshot(path=str(screenshot_dir / f"desk-sections-moved-{width}.png"), full_page=False)
    page.locator("input[name=_save]").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/admin/content/post/")
    assert order_in_database(post) == ["Two", "One", "Three"]
    assert_clean(page)


@each_width
def test_sections_are_dragged_into_place(desk, screenshot_dir, width):
    page = desk
    post = draft_post(title="Dragging", sections=0)
    for number, title in enumerate(("One", "Two", "Three"), start=1):
        SectionFactory(post=post, position=number, title=title)
    open_post(page, post, width)
    # Tall enough that both ends of the drag show at once: a scroll in the middle of a drag would move
    # the pointer onto another section's handle (a test artifact; editors scroll while dragging).
    page.set_viewport_size({"width": VIEWPORTS[width]["width"], "height": 5000})
    section(page, 3).locator(".section-drag-handle").drag_to(section(page, 1), target_position={"x": 40, "y": 8})
    page.set_viewport_size(VIEWPORTS[width])
    assert [section(page, n).locator(".inline_label").inner_text().split()[0] for n in (1, 2, 3)] == [
        "Three",
        "One",
        "Two",
    ]
    # An unsaved section, moved to the top then removed: the saved ones keep their forms.
    page.get_by_role("button", name="Add another Section").click()
    section(page, 4).get_by_role("button", name="Move up").click()
    section(page, 3).get_by_role("button", name="Move up").click()
    page.screenshot(path=str(screenshot_dir / f"desk-sections-dragged-{width}.png"), full_page=True)
    section(page, 2).locator(".inline-deletelink").click()
    assert page.locator("#id_sections-TOTAL_FORMS").input_value() == "3"
    page.locator("input[name=_continue]").click()
    page.wait_for_load_state()
    assert page.locator(".errorlist").count() == 0, page.locator(".errorlist").all_inner_texts()
    assert order_in_database(post) == ["Three", "One", "Two"]
    assert_clean(page)
