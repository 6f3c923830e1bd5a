"""Cached pages answered before the middleware a view needs (content/site/cache_hits.py): the same answer."""

import pytest
from django.conf import settings
from django.contrib.messages import constants
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import path as route

from content.site import page_cache
from content.tests.factories import PostFactory, SectionFactory, TagFactory

pytestmark = pytest.mark.django_db

EARLY = "content.site.cache_hits.answer_cached_pages"
PER_REQUEST = {"X-Request-ID"}  # a new one for every request


def without_early_answers(settings) -> None:
    settings.MIDDLEWARE = [name for name in settings.MIDDLEWARE if name != EARLY]


def answer(response) -> tuple:
    headers = {name: value for name, value in response.headers.items() if name not in PER_REQUEST}
    return response.status_code, headers, response.content, sorted(response.cookies)


def a_messages_cookie() -> str:
    """What the messages middleware leaves in a browser between two admin pages."""
    request = RequestFactory().get("/")
    storage = CookieStorage(request)
    storage.add(constants.SUCCESS, "Saved.")
    response = HttpResponse()
    storage.update(response)
    return response.cookies[storage.cookie_name].value


@pytest.fixture
def pages():
    post = PostFactory(title="Answered early")
    tag = TagFactory(name="early")
    post.tags.add(tag)
    SectionFactory(post=post, content="Words.")
    return [post.get_absolute_url(), "/", f"/tags/{tag.slug}/", "/feed/", "/sitemap.xml"]


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"HTTP_ACCEPT_ENCODING": "gzip, br"},
        {"HTTP_ACCEPT_ENCODING": "gzip;q=0"},
        {"HTTP_IF_NONE_MATCH": "*"},
        {"HTTP_IF_MATCH": '"another-version"'},
        {"HTTP_IF_MODIFIED_SINCE": "Wed, 21 Oct 2015 07:28:00 GMT", "HTTP_IF_UNMODIFIED_SINCE": "nonsense"},
        {"HTTP_COOKIE": "sessionid=someones-session; csrftoken=" + "a" * 32},
    ],
)
@pytest.mark.parametrize("kept", [True, False], ids=["kept in the process", "from the cache"])
def test_a_hit_answered_early_is_the_answer_of_the_whole_stack(client, settings, pages, headers, kept):
    if "HTTP_COOKIE" in headers:
        headers = {"HTTP_COOKIE": headers["HTTP_COOKIE"] + f"; messages={a_messages_cookie()}"}
    early = []
    for path in pages:
        client.get(path)  # stored
        if not kept:
            page_cache.kept.clear()  # as in another process: the page comes from the configured cache
        response = client.get(path, **headers)
        assert not hasattr(response.wsgi_request, "session")  # answered before the sessions middleware
        early.append(answer(response))
    without_early_answers(settings)
    whole = [answer(client.get(path, **headers)) for path in pages]
    assert early == whole
    assert all(status in (200, 304, 412) for status, *_ in early)
    for _, answered, *_ in early:
        assert answered["X-Frame-Options"] == "DENY" and "Content-Security-Policy" in answered


def test_a_revalidation_is_answered_early_with_304(client, pages):
    first = client.get(pages[0])
    again = client.get(pages[0], HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and not hasattr(again.wsgi_request, "session")
    assert again["X-Frame-Options"] == "DENY" and again.content == b""


def test_misses_and_other_views_go_down_the_whole_stack_once(client, pages, django_assert_num_queries):
    first = client.get(pages[0])
    assert first.status_code == 200 and hasattr(first.wsgi_request, "session")
    with django_assert_num_queries(1):  # the page's version, asked once: the view reuses the early lookup
        hit = client.get(pages[0])
    assert hit.content == first.content
    search = client.get("/search/?q=words")
    assert search.status_code == 200 and hasattr(search.wsgi_request, "session")
    post = client.post(pages[0])
    assert post.status_code == 405


def test_a_host_not_allowed_is_refused_as_before(client, pages):
    client.get(pages[0])
    assert client.get(pages[0], HTTP_HOST="evil.example").status_code == 400


def test_with_the_page_cache_off_nothing_is_answered_early(client, settings, pages):
    settings.PUBLIC_CACHE_SECONDS = 0
    client.get(pages[0])
    response = client.get(pages[0])
    assert response.status_code == 200 and hasattr(response.wsgi_request, "session")


def test_the_early_answer_comes_before_sessions_and_after_every_middleware_that_answers_for_all():
    position = settings.MIDDLEWARE.index(EARLY)
    assert settings.MIDDLEWARE.index("django.middleware.csp.ContentSecurityPolicyMiddleware") < position
    assert settings.MIDDLEWARE.index("blog_project.request_guard.refuse_control_characters") < position
    assert settings.MIDDLEWARE.index("blog_project.faults.DatabaseUnavailableMiddleware") < position
    assert position + 1 == settings.MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware")


def test_pages_are_kept_in_the_process_up_to_the_allowance_and_served_the_same_from_the_cache(client, settings, pages):
    first = answer(client.get(pages[0]))
    (key, stored), *_ = page_cache.kept.pages.items()
    assert page_cache.page_store.get(key) == stored  # the same page in the configured cache
    assert answer(client.get(pages[0])) == first
    settings.PUBLIC_CACHE_MEMORY_MB = 0  # none kept: every hit asks the configured cache
    assert answer(client.get(pages[0])) == first
    assert not page_cache.kept.pages and page_cache.kept.size == 0


def a_view_of_another_urlconf(request, slug):
    return HttpResponse(f"not the post page: {slug}")


urlpatterns = [route("posts/<slug:slug>/", a_view_of_another_urlconf)]


def test_a_remembered_url_match_is_not_used_for_another_urlconf(client, settings, pages):
    client.get(pages[0])
    assert client.get(pages[0]).wsgi_request.resolver_match.view_name == "content:post_detail"
    settings.ROOT_URLCONF = __name__
    response = client.get(pages[0])
    assert response.status_code == 200 and response.content.startswith(b"not the post page")
