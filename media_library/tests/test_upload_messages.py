"""What the admin's upload form tells an editor: no success without a file, our pixel limit in plain words."""

import html

import pytest
from django.contrib.messages import get_messages

from media_library.models import Image
from media_library.tests.bad_input import png_bomb
from media_library.tests.test_admin import UPLOAD_URL, post_upload

pytestmark = pytest.mark.django_db


def page_text(response) -> str:
    return html.unescape(response.content.decode())


def test_an_upload_without_a_file_is_a_form_error_naming_the_field(staff_client):
    response = post_upload(staff_client, [], alt_text="Alt text for nothing")

    assert response.status_code == 200
    text = page_text(response)
    assert "No file was sent in “Images”: choose at least one image to upload." in text
    assert "Nothing was uploaded" in text
    assert response.context["form"].errors["files"]
    assert not [message for message in get_messages(response.wsgi_request) if "Uploaded" in str(message)]
    assert Image.objects.count() == 0


def test_an_upload_form_posted_empty_is_refused_too(staff_client):
    response = staff_client.post(UPLOAD_URL, {})
    assert response.status_code == 200
    assert "No file was sent in “Images”" in page_text(response)


def test_a_900_megapixel_image_is_refused_with_our_limit_not_pillows(staff_client, settings):
    settings.IMAGE_MAX_PIXELS = 40_000_000

    response = post_upload(staff_client, [("bomb.png", png_bomb(30000, 30000))])

    text = page_text(response)
    assert "The image is 900 megapixels; the limit is 40 megapixels." in text
    assert "decompression bomb" in text
    assert "178956970" not in text and "DOS attack" not in text  # Pillow's own limit and words
    assert Image.objects.count() == 0


def test_the_limit_quoted_follows_the_setting(staff_client, settings):
    settings.IMAGE_MAX_PIXELS = 25_000_000
    response = post_upload(staff_client, [("bomb.png", png_bomb(30000, 30000))])
    assert "the limit is 25 megapixels" in page_text(response)
