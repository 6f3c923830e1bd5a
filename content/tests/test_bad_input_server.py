"""A hostile visitor's corpus of addresses and headers, sent over real HTTP to a running server: never a 500."""

import http.client
from urllib.parse import urlsplit

import pytest

from content.tests.factories import PostFactory, SectionFactory, TagFactory

pytestmark = pytest.mark.django_db(transaction=True)

PATHS = [
    "/tags/a%00b/",
    "/tags/a%00b/feed/",
    "/tags/%00/feed/atom/",
    "/posts/%ff%fe/",
    "/posts/%E2%80%AE%00/",
    "/posts/" + "a" * 5000 + "/",
    "/posts/..%2F..%2Fetc%2Fpasswd/",
    "/tags/" + "%F0%9F%92%A1" * 200 + "/",
    "/search/?q=%00",
    "/search/?q=%ud800",
    "/search/?q=" + "word+" * 3000,
    "/search/?q=a&page=-1",
    "/search/?q=a&page=99999999999999999999999",
    "/search/?q=a&page=%00",
    "/?page=abc",
    "/?page=0",
    "/?page=1e999",
    "/sitemap.xml?p=abc",
    "/sitemap.xml?p=99999999999999",
    "/feed/?%00=%00",
    "/robots.txt?%ff",
    "/admin/login/?next=%00",
    "/admin/content/post/%00/change/",
    "/admin/content/post/99999999999999999999/change/",
    "/healthz/ready",
    "/static/%00",
    "/media/%00",
]
HEADERS = [
    {"If-None-Match": "*"},
    {"If-None-Match": '"' + "x" * 10_000 + '"'},
    {"If-Modified-Since": "yesterday at noon"},
    {"Accept-Encoding": "gzip;q=banana, *;q=-1"},
    {"Range": "bytes=999999999999-0"},
    {"Cookie": "sessionid=" + "\x7f" * 10},
    {"X-Forwarded-For": "not-an-address, ::::"},
    {"Accept-Language": "x" * 5000},
]


@pytest.fixture
def corpus_site():
    post = PostFactory(title="Hostile corpus", slug="hostile-corpus", tags=[TagFactory(name="plain")])
    SectionFactory(post=post, position=1)
    return post


def send(live_server, path: str, headers: dict | None = None) -> int:
    address = urlsplit(live_server.url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
    try:
        connection.putrequest("GET", path, skip_accept_encoding=True)
        for name, value in (headers or {}).items():
            connection.putheader(name, value.encode("latin-1"))
        connection.endheaders()
        return connection.getresponse().status
    finally:
        connection.close()


def test_hostile_addresses_never_get_a_500(live_server, corpus_site):
    statuses = {path[:60]: send(live_server, path) for path in PATHS}
    assert [path for path, status in statuses.items() if status >= 500] == [], statuses


@pytest.mark.parametrize("headers", HEADERS, ids=lambda headers: next(iter(headers)))
def test_hostile_headers_never_get_a_500(live_server, corpus_site, headers):
    for path in ("/", "/posts/hostile-corpus/", "/feed/", "/tags/plain/", "/posts/missing/"):
        assert send(live_server, path, headers) < 500, path
