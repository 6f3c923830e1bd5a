import pytest
from django.urls import reverse

from media_library.models import Image
from testing.images import encoded, jpeg_with_exif, photo


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_editor_uploads_two_images_and_sees_their_thumbnails(
    browser_page, django_user_model, settings, tmp_path, screenshot_dir
):
    settings.ROOT_URLCONF = "media_library.tests.urls"
    django_user_model.objects.create_superuser("editor", "editor@example.org", "pass-word-123")
    first, second = tmp_path / "harbour.jpg", tmp_path / "lamp.png"
    first.write_bytes(jpeg_with_exif(1200, 800, orientation=6))
    second.write_bytes(encoded(photo(640, 480), "PNG"))
    page = browser_page
    failed = []  # the browser asks for /favicon.ico, which the project does not have: not ours to judge here
    page.on("response", lambda response: response.status >= 400 and failed.append(response.url))
    page.goto(page.base_url + reverse("admin:login"))
    page.fill("#id_username", "editor")
    page.fill("#id_password", "pass-word-123")
    page.click("input[type=submit]")

    page.goto(page.base_url + reverse("admin:media_library_image_add"))
    page.set_input_files("#id_files", [str(first), str(second)])
    page.fill("#id_alt_text", "Demo picture")
    page.click("#image-upload-form input[type=submit]")
    page.wait_for_selector("text=Uploaded 2 image(s).")

    thumbnails = page.locator("img[loading=lazy]")
    assert thumbnails.count() == 2
    for index in range(2):
        thumbnails.nth(index).scroll_into_view_if_needed()
        page.wait_for_function(
            "img => img.complete && img.naturalWidth > 0", arg=thumbnails.nth(index).element_handle()
        )
    widths = sorted(thumbnails.nth(i).evaluate("img => img.naturalWidth") for i in range(2))
    assert widths == [480, 480]  # the 480-pixel renditions, not the originals
    page.screenshot(path=str(screenshot_dir / "media-library-changelist.png"))
    assert Image.objects.count() == 2
    assert [url for url in failed if not url.endswith("/favicon.ico")] == []

    # A text file renamed .jpg is refused with the reason, on the same page.
    fake = tmp_path / "notes.jpg"
    fake.write_text("not a picture\n" * 10)
    page.goto(page.base_url + reverse("admin:media_library_image_upload"))
    page.set_input_files("#id_files", str(fake))
    page.click("#image-upload-form input[type=submit]")
    page.wait_for_selector("text=Nothing was uploaded")
    assert "The file is text, not an image" in page.content()
    assert Image.objects.count() == 2
