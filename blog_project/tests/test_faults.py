"""Faults in-process: a database that cannot answer (a lock held by another session, with a lock_timeout in
ours, a real OperationalError), and a cache that is down or hangs. gunicorn end to end: test_fault_serving.py."""

import contextlib
import logging
import socket
import time

import psycopg
import pytest
from django.db import OperationalError, connection
from django.test import Client

from blog_project.faults import RETRY_AFTER_SECONDS, server_error, unavailable_response
from blog_project.tests.fault_servers import free_port
from content.site import content_state as content_state_module
from content.site import page_cache
from content.site.content_state import listener_params
from content.tests.factories import PostFactory
from content.tests.site.html_checkers import nu_checker  # noqa: F401 (a fixture)


@pytest.fixture(autouse=True)
def _fresh_fault_state(monkeypatch):
    """What this process remembers of earlier failures is this test's alone."""
    monkeypatch.setattr(content_state_module, "_last_read", None)
    monkeypatch.setattr(content_state_module, "_failed_until", 0.0)
    monkeypatch.setattr(page_cache, "_cache_failed_until", 0.0)


@contextlib.contextmanager
def tables_locked(*tables: str):
    """Another session holds ``tables`` exclusively; this one's statements give up waiting after 200 ms."""
    params = listener_params()
    params.pop("application_name")
    with psycopg.connect(**params) as other, other.transaction():
        other.execute(f"LOCK TABLE {', '.join(tables)} IN ACCESS EXCLUSIVE MODE")
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '200ms'")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("RESET lock_timeout")


def assert_unavailable(response) -> None:
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert "no-cache" in response["Cache-Control"]
    page = response.content.decode()
    assert "Back in a moment" in page and 'rel="stylesheet"' in page and 'class="site-header"' in page


@pytest.mark.django_db(transaction=True)
def test_cached_pages_outlive_an_unreadable_content_state_for_the_grace_period(client, settings, caplog):
    settings.PAGE_CACHE_GRACE_SECONDS = 1
    post = PostFactory(title="Kept through the outage")
    url = post.get_absolute_url()
    first = client.get(url)  # rendered and stored; the content state is remembered
    with tables_locked("post_generation", "post"), caplog.at_level(logging.WARNING):
        hit = client.get(url)
        miss = client.get("/")  # never cached: it needs the database
        time.sleep(1.1)
        after_grace = client.get(url)
    recovered = client.get(url)

    assert first.status_code == 200
    assert hit.status_code == 200 and hit.content == first.content
    assert "content state unreadable (OperationalError)" in caplog.text
    assert_unavailable(miss)
    assert_unavailable(after_grace)
    assert recovered.status_code == 200 and recovered.content == first.content


@pytest.mark.django_db(transaction=True)
def test_without_any_state_read_before_a_failure_a_cached_page_is_503(client):
    with tables_locked("post_generation", "post"):
        response = client.get("/")
    assert_unavailable(response)


@pytest.mark.django_db(transaction=True)
def test_the_admin_answers_503_when_the_database_cannot_answer(staff_client):
    with tables_locked("django_session"):
        response = staff_client.get("/admin/")
    assert_unavailable(response)
    assert staff_client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_the_503_page_is_rendered_without_the_database(rf, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = unavailable_response(rf.get("/posts/anything/"))
    assert_unavailable(response)


@pytest.mark.django_db(transaction=True)
def test_errors_outside_views_are_503_for_the_database_and_the_sites_500_page_otherwise(rf):
    request = rf.get("/admin/")
    with tables_locked("post"):
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1 FROM post")
        except OperationalError:
            database_failed = server_error(request)
    try:
        raise ValueError("a bug")
    except ValueError:
        bug = server_error(request)

    assert_unavailable(database_failed)
    assert bug.status_code == 500 and "Something went wrong" in bug.content.decode()
    assert "Retry-After" not in bug


def test_the_503_and_500_pages_are_valid_html(rf, nu_checker, tmp_path):  # noqa: F811
    request = rf.get("/posts/anything/")
    try:
        raise ValueError("a bug")
    except ValueError:
        error_page = server_error(request)
    documents = {"503": unavailable_response(request).content.decode(), "500": error_page.content.decode()}
    assert nu_checker(documents, tmp_path) == {}


@pytest.mark.django_db
def test_a_view_error_that_is_not_the_databases_stays_a_500(settings):
    settings.ROOT_URLCONF = "blog_project.tests.failing_urls"
    response = Client(raise_request_exception=False).get("/fails/")
    assert response.status_code == 500 and "Something went wrong" in response.content.decode()


def redis_cache(settings, url: str, timeout: float = 0.3) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": timeout, "socket_timeout": timeout},
        }
    }


@pytest.mark.django_db
def test_a_redis_that_is_down_is_logged_and_pages_render_without_it(client, settings, caplog):
    redis_cache(settings, f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
    post = PostFactory(title="Rendered without a cache")
    with caplog.at_level(logging.WARNING, logger="content.site.page_cache"):
        pages = [client.get(post.get_absolute_url()) for _ in range(2)]
    assert [page.status_code for page in pages] == [200, 200]
    assert all(b"Rendered without a cache" in page.content for page in pages)
    assert "page cache read failed (ConnectionError" in caplog.text


@pytest.mark.django_db
def test_a_redis_that_hangs_costs_one_request_its_timeout_then_is_left_alone(client, settings, caplog):
    with socket.create_server(("127.0.0.1", 0)) as hung:  # accepts, never answers
        redis_cache(settings, f"redis://127.0.0.1:{hung.getsockname()[1]}/0", timeout=0.3)
        url = PostFactory().get_absolute_url()
        with caplog.at_level(logging.WARNING, logger="content.site.page_cache"):
            started = time.monotonic()
            first = client.get(url)
            first_seconds = time.monotonic() - started
            started = time.monotonic()
            second = client.get(url)
            second_seconds = time.monotonic() - started
    assert first.status_code == second.status_code == 200
    assert 0.3 <= first_seconds < 3
    assert second_seconds < first_seconds - 0.2  # within CACHE_RETRY_SECONDS of the failure the cache is not asked
    assert "page cache read failed (TimeoutError" in caplog.text
