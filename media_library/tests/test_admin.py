import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from content.tests.factories import ImageSectionFactory
from media_library import services
from media_library.models import Image
from media_library.tests.bad_input import bad_uploads
from media_library.tests.factories import ImageFactory, upload
from testing.images import encoded, jpeg_with_exif, photo

pytestmark = pytest.mark.django_db
UPLOAD_URL = reverse("admin:media_library_image_upload")
BOUNDARY = "----media-test-boundary"


def multipart(files: list[tuple[str, bytes]], **fields: str) -> bytes:
    """A multipart body written by hand: Django's test client would clean the file names itself."""
    parts = []
    for name, value in fields.items():
        parts.append(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for filename, content in files:
        header = f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="files"; filename="{filename}"\r\n'
        parts.append(header.encode() + b"Content-Type: application/octet-stream\r\n\r\n" + content + b"\r\n")
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


def post_upload(client, files, **fields):
    return client.generic(
        "POST", UPLOAD_URL, multipart(files, **fields), content_type=f"multipart/form-data; boundary={BOUNDARY}"
    )


def test_add_goes_to_the_upload_form_which_takes_several_files(staff_client, settings):
    response = staff_client.get(reverse("admin:media_library_image_add"))
    assert response.url == UPLOAD_URL
    assert b"multiple" in staff_client.get(UPLOAD_URL).content
    files = [("one.jpg", encoded(photo(300, 200), "JPEG")), ("two.png", encoded(photo(200, 300), "PNG"))]
    response = post_upload(staff_client, files, alt_text="Shared alt text")
    assert response.status_code == 302
    assert sorted(Image.objects.values_list("original_filename", "alt_text")) == [
        ("one.jpg", "Shared alt text"),
        ("two.png", "Shared alt text"),
    ]


def test_single_upload_opens_its_change_page(staff_client):
    response = post_upload(staff_client, [("one.jpg", encoded(photo(300, 200), "JPEG"))])
    image = Image.objects.get()
    assert response.url == reverse("admin:media_library_image_change", args=[image.pk])


@pytest.mark.parametrize(
    ("name", "content", "phrase"), [case[1:] for case in bad_uploads()], ids=[c[0] for c in bad_uploads()]
)
def test_bad_upload_through_the_admin_is_refused_with_the_reason(staff_client, settings, name, content, phrase):
    response = post_upload(staff_client, [(name, content)])
    assert response.status_code == 200
    assert phrase in response.content.decode()
    assert "Nothing was uploaded" in response.content.decode()
    assert Image.objects.count() == 0
    assert not settings.MEDIA_ROOT.exists() or not [p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file()]


def test_upload_requires_add_permission(client, django_user_model):
    user = django_user_model.objects.create_user("writer", password="pw-123456789", is_staff=True)
    client.force_login(user)
    assert client.get(UPLOAD_URL).status_code == 403
    client.logout()
    assert client.get(UPLOAD_URL).status_code == 302  # to the login page


def test_changelist_thumbnails_filters_search_within_a_query_budget(staff_client, django_assert_max_num_queries):
    services.upload_images([upload(encoded(photo(600, 400), "JPEG"), "harbour.jpg")], alt_text="Boats")
    for index in range(12):
        ImageSectionFactory(image=ImageFactory(caption=f"caption {index}"))
    url = reverse("admin:media_library_image_changelist")
    with django_assert_max_num_queries(9):
        response = staff_client.get(url)
    html = response.content.decode()
    assert html.count('width="80" loading="lazy"') == 13
    assert "-480w.webp" in html
    assert staff_client.get(url, {"format": "JPEG"}).context["cl"].result_count == 1
    assert staff_client.get(url, {"format": "PNG"}).context["cl"].result_count == 12
    assert staff_client.get(url, {"watermarked__exact": "1"}).context["cl"].result_count == 0
    assert staff_client.get(url, {"derivatives": "outdated"}).context["cl"].result_count == 12  # factory rows
    assert staff_client.get(url, {"q": "Boats"}).context["cl"].result_count == 1
    assert staff_client.get(url, {"q": '"caption 11"'}).context["cl"].result_count == 1


def test_change_page_previews_edits_alt_text_and_lists_posts(staff_client, django_assert_max_num_queries):
    (image,) = services.upload_images([upload(jpeg_with_exif(900, 600), "harbour.jpg")])
    for _ in range(5):
        ImageSectionFactory(image=image, post__title="Harbour walk")
    url = reverse("admin:media_library_image_change", args=[image.pk])
    with django_assert_max_num_queries(6):  # session, user, image, its posts: not one per post
        html = staff_client.get(url).content.decode()
    assert "-900w.webp" in html  # the widest rendition of a 900-pixel image
    assert "Harbour walk" in html
    assert "Camera Maker" in html
    response = staff_client.post(url, {"alt_text": "Boats at dawn", "caption": "", "image_prompt": "", "notes": "n"})
    assert response.status_code == 302
    image.refresh_from_db()
    assert (image.alt_text, image.notes) == ("Boats at dawn", "n")


def test_delete_tells_which_posts_lose_the_image_and_removes_files(staff_client, django_capture_on_commit_callbacks):
    (image,) = services.upload_images([upload(encoded(photo(600, 400), "JPEG"), "harbour.jpg")])
    section = ImageSectionFactory(image=image, post__title="Harbour walk")
    url = reverse("admin:media_library_image_delete", args=[image.pk])
    assert "disappears from" in staff_client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(url, {"post": "yes"}, follow=True)
    assert "Posts that lost the image “harbour.jpg”: Harbour walk." in response.content.decode()
    assert not Image.objects.exists()
    assert not default_storage.exists(image.path.name)
    section.refresh_from_db()
    assert section.image_id is None


def test_bulk_delete_and_remake_action(staff_client, watermark, django_capture_on_commit_callbacks):
    images = services.upload_images([upload(encoded(photo(500, 300), "PNG"), f"{n}.png") for n in range(2)])
    changelist = reverse("admin:media_library_image_changelist")
    ids = [str(image.pk) for image in images]
    response = staff_client.post(changelist, {"action": "remake_derivatives", "_selected_action": ids}, follow=True)
    assert "Watermark and renditions remade for 2 image(s)." in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(changelist, {"action": "delete_selected", "_selected_action": ids, "post": "yes"})
    assert not Image.objects.exists()
    assert not any(default_storage.exists(image.watermarked_path) for image in images)
