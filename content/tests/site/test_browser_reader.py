"""A reader's visit in a real headless Chromium: index, a post with every section type, search.

The machine has no internet: requests for uploaded media and for the YouTube player are
answered by the test (Playwright routing) from the media folder and a stub page.
"""

import io
import mimetypes
import wave
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile

from content.tests.factories import (
    AudioSectionFactory,
    ImageSectionFactory,
    PostFactory,
    SectionFactory,
    TagFactory,
    VideoSectionFactory,
)
from testing.images import png_bytes

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def silent_wav(seconds: float = 0.5) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as sound:
        sound.setnchannels(1)
        sound.setsampwidth(2)
        sound.setframerate(8000)
        sound.writeframes(b"\x00\x00" * int(8000 * seconds))
    return buffer.getvalue()


def serve_media(route):
    """Answer /media/... from MEDIA_ROOT (the live server serves static files only)."""
    name = route.request.url.split("/media/", 1)[1]
    if name == "audio/gulls.wav":
        route.fulfill(status=200, body=silent_wav(), content_type="audio/wav")
        return
    path = Path(settings.MEDIA_ROOT, name)
    if path.is_file():
        route.fulfill(status=200, body=path.read_bytes(), content_type=mimetypes.guess_type(path.name)[0])
    else:
        route.fulfill(status=404, body="missing")


def serve_player(route):
    route.fulfill(status=200, body="<!doctype html><title>player</title><p>player", content_type="text/html")


def test_reader_visits_index_post_and_search(browser_page, screenshot_dir):
    page = browser_page
    page.route("**/media/**", serve_media)
    page.route("https://www.youtube-nocookie.com/**", serve_player)
    tag = TagFactory(name="harbours", slug="harbours")
    PostFactory(title="An older post", summary="Nothing about boats.")
    post = PostFactory(
        title="A day by the harbour",
        subtitle="Boats and gulls",
        summary="What we saw by the harbour.",
        content="We arrived *early*.",
        tags=[tag],
    )
    SectionFactory(post=post, position=1, title="Morning", content="The **fishing boats** were leaving.")
    ImageSectionFactory(
        post=post,
        position=2,
        title="The pier",
        image__path=ContentFile(png_bytes(640, 400, "steelblue"), name="pier.png"),
        image__image_metadata={"width": 640, "height": 400},
        image__alt_text="A wooden pier stretching into calm water",
        image__caption="The pier at seven.",
    )
    VideoSectionFactory(post=post, position=3, title="Boats leaving", duration=95)
    AudioSectionFactory(post=post, position=4, title="Gulls", audio_url="/media/audio/gulls.wav", duration=30)

    page.goto(page.base_url + "/")
    assert page.get_by_role("heading", name="Latest posts").is_visible()
    page.screenshot(path=str(screenshot_dir / "reader-index.png"), full_page=True)
    page.get_by_role("link", name="A day by the harbour").click()
    page.wait_for_url(f"**{post.get_absolute_url()}")

    for heading in ["A day by the harbour", "Morning", "The pier", "Boats leaving", "Gulls"]:
        assert page.get_by_role("heading", name=heading).first.is_visible()
    assert page.locator(".section-text strong").inner_text() == "fishing boats"
    image = page.get_by_alt_text("A wooden pier stretching into calm water")
    image.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
    assert page.get_by_text("The pier at seven.").is_visible()
    frame = page.locator(".section-video iframe")
    assert frame.get_attribute("src") == "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"
    assert page.get_by_text("1:35").is_visible()
    audio = page.locator(".section-audio audio")
    assert audio.get_attribute("src") == "/media/audio/gulls.wav" and audio.is_visible()
    assert page.get_by_role("link", name="harbours").first.is_visible()
    page.screenshot(path=str(screenshot_dir / "reader-post.png"), full_page=True)

    page.get_by_role("searchbox", name="Search posts").fill("fishing boats")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/search/?q=fishing+boats")
    assert page.get_by_role("status").inner_text() == "1 post found for “fishing boats”."
    assert page.locator(".snippet mark").first.inner_text().lower() in ("fishing", "boats")
    assert page.get_by_role("link", name="An older post").count() == 0
    page.screenshot(path=str(screenshot_dir / "reader-search.png"), full_page=True)
    assert page.console_errors == []
