"""SERVE_MEDIA's view: cache headers, conditional requests, byte ranges, and nothing outside MEDIA_ROOT."""

import os

import pytest
from django.utils.http import http_date

from media_library.serving import IMMUTABLE, OTHER, byte_range, media_file

pytestmark = pytest.mark.urls("media_library.tests.serving_urls")
RENDITION = "images/2026/11/0123456789abcdef0123456789abcdef-0123456789ab-480w.webp"
BODY = bytes(range(256)) * 40  # 10,240 bytes


@pytest.fixture
def media(settings, tmp_path):
    root = settings.MEDIA_ROOT
    (root / "images/2026/11").mkdir(parents=True)
    (root / RENDITION).write_bytes(BODY)
    (root / "demo").mkdir()
    (root / "demo/harbour.png").write_bytes(b"\x89PNG demo")
    (root / ".hidden").write_bytes(b"secret")
    (root / "demo/.env").write_bytes(b"secret")
    (tmp_path / "secret.txt").write_bytes(b"outside MEDIA_ROOT")
    (root / "demo/link.txt").symlink_to(tmp_path / "secret.txt")
    return root


def test_a_rendition_is_served_whole_with_long_cache_headers(client, media):
    response = client.get("/media/" + RENDITION)

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == BODY
    assert response["Content-Type"] == "image/webp"
    assert response["Content-Length"] == str(len(BODY))
    assert response["Cache-Control"] == IMMUTABLE == "public, max-age=31536000, immutable"
    assert response["Accept-Ranges"] == "bytes"
    assert response["ETag"].startswith('"') and response["Last-Modified"]


def test_other_files_get_a_day_and_head_sends_no_body(client, media):
    response = client.head("/media/demo/harbour.png")

    assert response.status_code == 200
    assert response.content == b""
    assert response["Content-Length"] == "9" and response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == OTHER == "public, max-age=86400"


def test_conditional_requests_answer_304(client, media):
    first = client.get("/media/" + RENDITION)
    by_etag = client.get("/media/" + RENDITION, headers={"If-None-Match": first["ETag"]})
    by_date = client.get("/media/" + RENDITION, headers={"If-Modified-Since": first["Last-Modified"]})
    os.utime(media / RENDITION, (0, 1_000_000_000))
    changed = client.get("/media/" + RENDITION, headers={"If-None-Match": first["ETag"]})

    assert by_etag.status_code == by_date.status_code == 304
    assert by_etag.content == b"" and by_etag["ETag"] == first["ETag"]
    assert by_etag["Cache-Control"] == IMMUTABLE
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]


@pytest.mark.parametrize(
    ("header", "first", "last"),
    [
        ("bytes=0-99", 0, 99),
        ("bytes=10000-", 10000, 10239),
        ("bytes=-40", 10200, 10239),
        ("bytes=10230-99999", 10230, 10239),
    ],
)
def test_a_byte_range_is_a_206_with_exactly_those_bytes(client, media, header, first, last):
    response = client.get("/media/" + RENDITION, headers={"Range": header})

    assert response.status_code == 206
    assert b"".join(response.streaming_content) == BODY[first : last + 1]
    assert response["Content-Range"] == f"bytes {first}-{last}/{len(BODY)}"
    assert response["Content-Length"] == str(last - first + 1)


@pytest.mark.parametrize("header", ["bytes=10240-", "bytes=20000-20010", "bytes=-0"])
def test_a_range_beyond_the_file_is_a_416_naming_its_size(client, media, header):
    response = client.get("/media/" + RENDITION, headers={"Range": header})

    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{len(BODY)}"


@pytest.mark.parametrize("header", ["bytes=0-1,5-6", "items=0-5", "bytes=9-3", "bytes=x-", "bytes=-"])
def test_ranges_we_do_not_serve_give_the_whole_file(client, media, header):
    response = client.get("/media/" + RENDITION, headers={"Range": header})

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == BODY


def test_if_range_serves_the_range_only_for_the_same_file(client, media):
    etag = client.get("/media/" + RENDITION)["ETag"]
    date = http_date((media / RENDITION).stat().st_mtime)

    same = client.get("/media/" + RENDITION, headers={"Range": "bytes=0-9", "If-Range": etag})
    same_date = client.get("/media/" + RENDITION, headers={"Range": "bytes=0-9", "If-Range": date})
    other = client.get("/media/" + RENDITION, headers={"Range": "bytes=0-9", "If-Range": '"old"'})

    assert same.status_code == same_date.status_code == 206
    assert other.status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/media/../secret.txt",
        "/media/..%2Fsecret.txt",
        "/media/demo/..%2F..%2Fsecret.txt",
        "/media/%2e%2e/secret.txt",
        "/media/demo/%2E%2E/%2E%2E/secret.txt",
        "/media/..%252Fsecret.txt",
        "/media//etc/passwd",
        "/media/%2Fetc%2Fpasswd",
        "/media/.hidden",
        "/media/demo/.env",
        "/media/demo/link.txt",
        "/media/demo/",
        "/media/demo",
        "/media/",
        "/media/demo/missing.png",
        "/media/demo\\..\\..\\secret.txt",
    ],
)
def test_nothing_but_a_file_under_media_root_is_served(client, media, path):
    response = client.get(path)

    assert response.status_code == 404, path
    assert b"outside MEDIA_ROOT" not in response.content and b"secret" not in response.content


@pytest.mark.parametrize(
    ("path", "status"),
    [("/media/demo/harbour.png%00.txt", 400), ("/media/%00", 400), ("/media/demo/harbour.png%0A", 404)],
)
def test_control_characters_are_refused(client, media, path, status):
    """NUL and most controls by blog_project.request_guard (400), a line feed by the view (404)."""
    assert client.get(path).status_code == status


def test_the_view_itself_refuses_control_characters_and_writes(client, media):
    assert media_file("demo/harbour.png\x00.txt") is None
    assert media_file("demo/harbour.png") == (media / "demo/harbour.png").resolve()
    assert client.post("/media/demo/harbour.png").status_code == 405


def test_byte_range_parsing():
    assert byte_range(None, 100) is None
    assert byte_range("bytes=0-0", 100) == (0, 0)
    assert byte_range("bytes=-500", 100) == (0, 99)
    assert byte_range("bytes=0-", 0) is False
    assert byte_range("bytes = 5 - 9", 100) == (5, 9)
