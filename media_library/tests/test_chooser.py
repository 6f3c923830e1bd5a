"""The image chooser's fragments: who may list, choose and upload; filters, search and pages; bad input as a
4xx naming the field, never a 500; a query budget that does not grow with the library."""

import html
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from content.tests.editorial.workflow_helpers import client_for, make_user
from media_library.chooser import PER_PAGE
from media_library.models import Image
from media_library.tests.bad_input import bad_uploads
from media_library.tests.factories import ImageFactory
from testing.images import encoded, photo

pytestmark = pytest.mark.django_db
CHOOSER = reverse("admin:media_library_image_chooser")
UPLOAD = reverse("admin:media_library_image_chooser_upload")


@pytest.fixture
def editor_client(client, django_user_model):
    return client_for(client, make_user(django_user_model, "edna", "Editors"))


def chosen_url(image_id) -> str:
    return reverse("admin:media_library_image_chosen", args=[image_id])


def text(response) -> str:
    return html.unescape(response.content.decode())


def listed(client, **params) -> list[str]:
    response = client.get(CHOOSER, {"results": "1", **params})
    assert response.status_code == 200
    return [image.original_filename for image, _thumbnail in response.context["results"]]


def image(name, width, height, **fields):
    return ImageFactory(original_filename=name, image_metadata={"width": width, "height": height}, **fields)


def test_filters_search_and_newest_first(staff_client):
    wide = image("wide.jpg", 1800, 1000)
    image("tall.jpg", 600, 900, alt_text="")
    image("square.png", 800, 800, alt_text="   ", caption="A harbour at dawn")
    old = image("old.jpg", 1000, 700)
    Image.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40))
    image("odd.jpg", "wide", None)  # metadata edited by hand: matches no shape or size, breaks nothing
    assert listed(staff_client)[:1] == ["odd.jpg"] and listed(staff_client)[-1] == "old.jpg"
    assert listed(staff_client, shape="landscape") == ["wide.jpg", "old.jpg"]
    assert listed(staff_client, shape="portrait") == ["tall.jpg"]
    assert listed(staff_client, shape="square") == ["square.png"]
    assert listed(staff_client, size="large") == ["wide.jpg"]
    assert sorted(listed(staff_client, size="small")) == ["square.png", "tall.jpg"]
    assert listed(staff_client, size="medium") == ["old.jpg"]
    assert sorted(listed(staff_client, no_alt="on")) == ["square.png", "tall.jpg"]
    assert "old.jpg" not in listed(staff_client, uploaded="30") and wide.original_filename in listed(
        staff_client, uploaded="1"
    )
    assert listed(staff_client, q="HARBOUR") == ["square.png"]
    assert listed(staff_client, q="tall") == ["tall.jpg"]
    page = staff_client.get(CHOOSER, {"no_alt": "on"})
    assert "No alt text" in text(page) and "Upload a new image" in text(page)


def test_pages_and_a_page_past_the_last(staff_client):
    for number in range(PER_PAGE + 3):
        image(f"photo {number:02d}.jpg", 800, 600)
    first = staff_client.get(CHOOSER, {"results": "1"})
    assert len(first.context["results"]) == PER_PAGE and 'data-page="2"' in text(first)
    assert "27 images, page 1 of 2" in text(first)
    assert len(staff_client.get(CHOOSER, {"results": "1", "page": "2"}).context["results"]) == 3
    assert len(staff_client.get(CHOOSER, {"results": "1", "page": "9999"}).context["results"]) == 3  # the last


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"page": str(2**31)}, "Page:"),
        ({"page": "0"}, "Page:"),
        ({"page": "two"}, "Page:"),
        ({"page": "9" * 5000}, "Page:"),
        ({"q": "a\x00b"}, "Search:"),
        ({"q": "bell\x07"}, "Search:"),
        ({"q": "x" * 201}, "Search:"),
        ({"shape": "round"}, "Shape:"),
        ({"size": "<script>"}, "Size:"),
        ({"uploaded": "-1"}, "Uploaded:"),
    ],
)
def test_bad_filters_are_a_400_naming_the_field(staff_client, params, named):
    response = staff_client.get(CHOOSER, params)
    assert response.status_code == 400
    assert named in text(response) and "These images cannot be listed" in text(response)
    assert "<script>" not in response.content.decode()


def test_listing_and_choosing_need_the_right_to_view_images(client, django_user_model):
    picture = image("mine.jpg", 800, 600)
    assert client.get(CHOOSER).status_code == 302  # to the login page
    client_for(client, make_user(django_user_model, "stranger", None))  # staff without permissions
    assert client.get(CHOOSER).status_code == 403
    assert client.get(chosen_url(picture.pk)).status_code == 403
    assert client.post(UPLOAD, {"files": encoded(photo(40, 30), "PNG")}).status_code == 403
    assert Image.objects.count() == 1


def test_a_viewer_chooses_but_does_not_upload(client, django_user_model):
    from django.contrib.auth.models import Permission

    viewer = make_user(django_user_model, "vera", None)
    viewer.user_permissions.add(Permission.objects.get(codename="view_image"))
    client_for(client, viewer)
    page = client.get(CHOOSER)
    assert page.status_code == 200 and "Upload a new image" not in text(page)
    assert client.post(UPLOAD, {}).status_code == 403


def test_the_chosen_fragment_warns_of_missing_alt_text_with_a_link_to_fix_it(editor_client):
    silent = image("silent.jpg", 800, 600, alt_text="")
    answer = text(editor_client.get(chosen_url(silent.pk)))
    assert "This image has no alt text: readers using screen readers will hear nothing." in answer
    assert f'href="{reverse("admin:media_library_image_change", args=[silent.pk])}"' in answer
    assert "Add alt text to this image" in answer
    described = image("described.jpg", 800, 600, alt_text="Boats at dawn")
    assert "Boats at dawn" in text(editor_client.get(chosen_url(described.pk)))
    for missing in ("999999", "abc", "9" * 40):
        response = editor_client.get(chosen_url(missing))
        assert response.status_code == 404 and "No image has the number" in text(response)


def test_an_upload_is_stored_through_the_library_and_answered_as_chosen(editor_client):
    response = editor_client.post(
        UPLOAD, {"files": upload_file("harbour.jpg", encoded(photo(300, 200), "JPEG")), "alt_text": "Boats"}
    )
    assert response.status_code == 201
    stored = Image.objects.get()
    assert (stored.original_filename, stored.alt_text, stored.width) == ("harbour.jpg", "Boats", 300)
    assert f'data-image-id="{stored.pk}"' in text(response) and stored.image_metadata["renditions"]


def upload_file(name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


@pytest.mark.parametrize(
    ("name", "content", "phrase"), [case[1:] for case in bad_uploads()], ids=[case[0] for case in bad_uploads()]
)
def test_bad_uploads_are_a_400_naming_the_field(editor_client, settings, name, content, phrase):
    from media_library.tests.test_admin import multipart

    response = editor_client.generic("POST", UPLOAD, multipart([(name, content)]), content_type=multipart_type())
    assert response.status_code == 400
    assert "Image file:" in text(response) and phrase in text(response)
    assert Image.objects.count() == 0


def multipart_type() -> str:
    from media_library.tests.test_admin import BOUNDARY

    return f"multipart/form-data; boundary={BOUNDARY}"


@pytest.mark.parametrize(
    ("fields", "phrase"),
    [
        ({}, "Image file: No file was sent"),
        ({"alt_text": "a\x00b"}, "Alt text:"),
        ({"alt_text": "x" * 501}, "Alt text:"),
    ],
)
def test_an_upload_without_a_file_or_with_bad_alt_text_names_the_field(editor_client, fields, phrase):
    if "alt_text" in fields:
        fields = {**fields, "files": upload_file("fine.png", encoded(photo(40, 30), "PNG"))}
    response = editor_client.post(UPLOAD, fields)
    assert response.status_code == 400 and phrase in text(response)
    assert Image.objects.count() == 0


def test_an_upload_too_big_is_refused_before_it_is_read(editor_client, settings):
    settings.IMAGE_MAX_BYTES = 1000
    content = encoded(photo(600, 400), "PNG")
    assert len(content) > 100_000
    response = editor_client.post(UPLOAD, {"files": upload_file("big.png", content)})
    assert response.status_code == 413
    assert "Image file: The file is larger than the limit of 1000" in text(response)
    assert Image.objects.count() == 0


def test_the_chooser_answers_in_a_few_queries_whatever_the_library(editor_client, django_assert_max_num_queries):
    for number in range(5):
        image(f"a{number}.jpg", 800, 600)
    with django_assert_max_num_queries(8) as few:
        editor_client.get(CHOOSER, {"q": "a", "shape": "landscape"})
    for number in range(60):
        image(f"b{number}.jpg", 800, 600)
    with django_assert_max_num_queries(len(few)):
        editor_client.get(CHOOSER, {"q": "b", "shape": "landscape", "page": "2"})


def test_the_lookup_popups_add_image_uploads_and_fills_the_field_that_opened_it(editor_client):
    """The raw-id field's magnifier opens the image list in a popup; its "Add image" used to end on the image's
    page with the field still empty."""
    from media_library.tests.test_admin import post_upload

    response = editor_client.get(reverse("admin:media_library_image_add"), {"_popup": "1", "_to_field": "id"})
    assert response.url == reverse("admin:media_library_image_upload") + "?_popup=1&_to_field=id"
    form = text(editor_client.get(response.url))
    assert '<input type="hidden" name="_popup" value="1">' in form and 'name="_to_field" value="id"' in form
    answer = post_upload(editor_client, [("pier.jpg", encoded(photo(60, 40), "JPEG"))], _popup="1", _to_field="id")
    stored = Image.objects.get()
    assert answer.status_code == 200 and "admin/js/popup_response.js" in text(answer)
    assert f'"value": "{stored.pk}"' in text(answer) and '"obj": "pier.jpg"' in text(answer)
