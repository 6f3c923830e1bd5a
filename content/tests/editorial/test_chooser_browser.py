"""The image chooser on the post's change page, in a real headless Chromium at a desktop's and a phone's width:
choosing, searching, uploading in place, the alt-text warning, and the keyboard alone."""

import pytest
from playwright.sync_api import expect

from content.models import Post
from content.tests.editorial import test_desk_browser as desk_browser
from content.tests.editorial.test_desk_browser import VIEWPORTS, assert_clean, loaded, open_post, section
from content.tests.editorial.workflow_helpers import draft_post
from media_library.models import Image
from media_library.tests.factories import ImageFactory
from testing.images import encoded, photo

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]
each_width = pytest.mark.parametrize("width", list(VIEWPORTS))
desk = desk_browser.desk  # the page, logged in as an Editor


def library():
    ImageFactory(original_filename="harbour at dawn.png", alt_text="Boats in a harbour at dawn")
    ImageFactory(original_filename="lighthouse.png", alt_text="")
    ImageFactory(original_filename="market.png", alt_text="A fish market")


def image_section(page, width):
    """A post whose one section is turned into an image section on the page (no image chosen yet)."""
    post = draft_post(title="Illustrated", sections=1)
    open_post(page, post, width)
    form = section(page, 1)
    form.locator("select[name$='-content_type']").select_option("image")
    return post, form


def image_id_of(name) -> int:
    return Image.objects.get(original_filename=name).pk


def saved_image(post):
    return Post.objects.get(pk=post.pk).sections.get().image


@each_width
def test_an_image_is_searched_chosen_and_shown_at_once(desk, screenshot_dir, width):
    page = desk
    library()
    post, form = image_section(page, width)
    assert "No image chosen yet" in form.locator(".field-image_details").inner_text()
    form.get_by_role("button", name="Choose an image").click()
    dialog = page.locator("dialog.image-chooser")
    expect(dialog).to_be_visible()
    results = dialog.locator(".image-chooser-result")
    expect(results).to_have_count(3)
    assert "No alt text" in results.filter(has_text="lighthouse").inner_text()
    page.screenshot(path=str(screenshot_dir / f"chooser-open-{width}.png"), full_page=False)
    dialog.locator("#image-chooser-q").fill("harbour")
    expect(results).to_have_count(1)
    expect(dialog.locator(".image-chooser-count")).to_have_text("1 image")
    page.screenshot(path=str(screenshot_dir / f"chooser-search-{width}.png"), full_page=False)
    results.first.click()
    expect(dialog).not_to_be_visible()
    chosen = form.locator(".field-image_details .chosen-image")
    expect(chosen).to_contain_text("Boats in a harbour at dawn")
    harbour = Image.objects.get(original_filename="harbour at dawn.png")
    assert form.locator("input[name$='-image']").input_value() == str(harbour.pk)
    assert form.locator(".field-image strong a").inner_text() == "harbour at dawn.png"
    assert loaded(chosen.locator("img"))
    form.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir / f"chooser-chosen-{width}.png"), full_page=False)

    # The filter for images without alt text, then the warning where the image is used.
    form.get_by_role("button", name="Choose an image").click()
    dialog.locator("#image-chooser-no_alt").check()
    expect(results).to_have_count(1)
    results.first.click()
    warning = form.locator(".chosen-image-no-alt")
    expect(warning).to_have_text(
        "This image has no alt text: readers using screen readers will hear nothing. "
        "The post cannot be published without it."
    )
    fix = form.get_by_role("link", name="Add alt text to this image")
    assert fix.get_attribute("href").endswith(f"/admin/media_library/image/{image_id_of('lighthouse.png')}/change/")
    form.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir / f"chooser-alt-warning-{width}.png"), full_page=False)
    # Fixed in another tab: back on this page, the warning goes.
    Image.objects.filter(original_filename="lighthouse.png").update(alt_text="A lighthouse in a storm")
    page.evaluate("window.dispatchEvent(new Event('focus'))")
    expect(form.locator(".chosen-image")).to_contain_text("A lighthouse in a storm")
    expect(warning).to_have_count(0)
    page.locator("input[name=_continue]").click()
    page.wait_for_load_state()
    assert saved_image(post).original_filename == "lighthouse.png"
    assert "A lighthouse in a storm" in section(page, 1).locator(".field-image_details").inner_text()
    assert_clean(page)


@each_width
def test_an_image_uploaded_in_the_chooser_returns_to_the_section(desk, screenshot_dir, width):
    page = desk
    library()
    post, form = image_section(page, width)
    form.get_by_role("button", name="Choose an image").click()
    dialog = page.locator("dialog.image-chooser")
    dialog.get_by_text("Upload a new image").click()
    upload = dialog.locator(".image-chooser-upload-form")
    upload.locator("input[type=file]").set_input_files(
        files=[{"name": "notes.png", "mimeType": "image/png", "buffer": b"Meeting notes, not a picture.\n" * 20}]
    )
    upload.get_by_role("button", name="Upload and use this image").click()
    error = dialog.locator(".image-chooser-upload .errornote")
    expect(error).to_contain_text("Image file:")
    expect(error).to_contain_text("text, not an image")
    assert Image.objects.count() == 3
    page.screenshot(path=str(screenshot_dir / f"chooser-upload-refused-{width}.png"), full_page=False)
    upload = dialog.locator(".image-chooser-upload-form")
    upload.locator("input[type=file]").set_input_files(
        files=[{"name": "pier.jpg", "mimeType": "image/jpeg", "buffer": encoded(photo(640, 400), "JPEG")}]
    )
    upload.locator("input[name=alt_text]").fill("A wooden pier in the fog")
    upload.get_by_role("button", name="Upload and use this image").click()
    expect(dialog).not_to_be_visible()
    chosen = form.locator(".field-image_details .chosen-image")
    expect(chosen).to_contain_text("A wooden pier in the fog")
    assert loaded(chosen.locator("img"))
    form.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir / f"chooser-uploaded-{width}.png"), full_page=False)
    page.locator("input[name=_continue]").click()
    page.wait_for_load_state()
    pier = saved_image(post)
    assert (pier.original_filename, pier.alt_text) == ("pier.jpg", "A wooden pier in the fog")
    assert_clean(page, "/admin/media_library/image/chooser/upload/")  # the refused upload's 400


@each_width
def test_the_chooser_works_with_the_keyboard_alone(desk, screenshot_dir, width):
    page = desk
    library()
    post, form = image_section(page, width)
    opener = form.get_by_role("button", name="Choose an image")
    opener.focus()
    page.keyboard.press("Enter")
    dialog = page.locator("dialog.image-chooser")
    expect(dialog).to_be_visible()
    search = dialog.locator("#image-chooser-q")
    expect(search).to_be_focused()
    page.keyboard.press("Escape")
    expect(dialog).not_to_be_visible()
    expect(opener).to_be_focused()

    page.keyboard.press("Enter")
    expect(search).to_be_focused()
    expect(dialog.locator(".image-chooser-result")).to_have_count(3)
    page.keyboard.press("ArrowDown")  # from the search box into the images
    results = dialog.locator(".image-chooser-result")
    expect(results.nth(0)).to_be_focused()
    page.keyboard.press("ArrowRight")
    expect(results.nth(1)).to_be_focused()
    page.keyboard.press("End")
    expect(results.nth(2)).to_be_focused()
    page.keyboard.press("Home")
    expect(results.nth(0)).to_be_focused()
    page.keyboard.press("ArrowRight")
    page.screenshot(path=str(screenshot_dir / f"chooser-keyboard-{width}.png"), full_page=False)
    wanted = results.nth(1).get_attribute("data-image-id")
    page.keyboard.press("Enter")
    expect(dialog).not_to_be_visible()
    expect(opener).to_be_focused()
    assert form.locator("input[name$='-image']").input_value() == wanted
    expect(form.locator(".field-image_details .chosen-image")).to_be_visible()

    page.keyboard.press("Enter")  # and a search typed, Enter to the first image found, Enter to choose it
    expect(search).to_be_focused()
    page.keyboard.type("market")
    page.keyboard.press("Enter")
    expect(results).to_have_count(1)
    expect(results.first).to_be_focused()
    page.keyboard.press("Enter")
    expect(dialog).not_to_be_visible()
    expect(form.locator(".chosen-image")).to_contain_text("A fish market")
    page.locator("input[name=_continue]").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert saved_image(post).original_filename == "market.png"
    assert_clean(page)


def test_the_phone_dialog_fills_the_screen(desk, screenshot_dir):
    page = desk
    library()
    _post, form = image_section(page, "phone")
    form.get_by_role("button", name="Choose an image").click()
    dialog = page.locator("dialog.image-chooser")
    expect(dialog.locator(".image-chooser-result")).to_have_count(3)
    box = dialog.bounding_box()
    assert box["width"] >= VIEWPORTS["phone"]["width"] - 1
    grid = dialog.locator(".image-chooser-grid").bounding_box()
    assert grid["x"] >= 0 and grid["x"] + grid["width"] <= VIEWPORTS["phone"]["width"]  # nothing off screen
    assert_clean(page)
