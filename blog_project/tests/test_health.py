"""/healthz/live and /healthz/ready: liveness without dependencies, readiness in bounded time, no secrets."""

import json
import socket
import time

import pytest
from django.db import OperationalError
from django.urls import reverse

from blog_project.health import check_database_quickly
from blog_project.tests.test_serving import Gunicorn


@pytest.fixture
def hung_server():
    """A TCP port that accepts connections and never says a word: a database that hangs."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield listener.getsockname()[1]


@pytest.mark.django_db
def test_live_and_ready_answer_200_and_are_never_cached(client):
    live = client.get(reverse("healthz-live"))
    ready = client.get(reverse("healthz-ready"))
    assert (live.status_code, live.json()) == (200, {"status": "ok"})
    assert (ready.status_code, ready.json()) == (200, {"status": "ready"})
    for response in (live, ready):
        assert response["Content-Type"] == "application/json"
        assert "no-cache" in response["Cache-Control"]
    assert client.head(reverse("healthz-live")).status_code == 200


@pytest.mark.django_db
def test_live_asks_no_dependency(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert client.get(reverse("healthz-live")).status_code == 200


@pytest.mark.django_db
def test_the_readiness_query_is_cut_at_its_statement_timeout(settings):
    settings.HEALTHZ_DB_TIMEOUT_MS = 200
    started = time.monotonic()
    with pytest.raises(OperationalError, match="statement timeout"):
        check_database_quickly("SELECT pg_sleep(5)")
    assert time.monotonic() - started < 2
    check_database_quickly()  # SET LOCAL: the connection is usable, without the short timeout outside


def test_plain_http_probes_are_not_redirected_in_production(production_environment):
    server = Gunicorn(production_environment)
    try:
        responses = {path: server.get(path) for path in ("/healthz/live", "/healthz/ready", "/healthz")}
    finally:
        server.stop()
    assert {path: response.status for path, (response, _) in responses.items()} == {
        "/healthz/live": 200,
        "/healthz/ready": 200,
        "/healthz": 200,
    }


def test_with_the_database_down_live_is_200_ready_is_503_and_no_body_tells_where_it_is(production_environment):
    down = {**production_environment, "DATABASE_URL": "postgres://blog:hunter2-password@127.0.0.1:9/blog"}
    server = Gunicorn(down)
    try:
        live, live_body = server.get("/healthz/live")
        ready, ready_body = server.get("/healthz/ready")
        full, full_body = server.get("/healthz")
    finally:
        server.stop()

    assert (live.status, json.loads(live_body)) == (200, {"status": "ok"})
    assert ready.status == 503 and ready.getheader("Retry-After") == "5"
    assert json.loads(ready_body) == {"status": "unavailable", "failing": ["database"]}
    assert full.status == 503 and json.loads(full_body)["checks"]["database"] == {
        "ok": False,
        "error": "OperationalError",
    }
    for body in (live_body, ready_body, full_body):
        assert b"127.0.0.1" not in body and b"port 9" not in body and b"hunter2" not in body
        assert b"connection" not in body.lower()  # no error message at all, only its class


def test_a_hung_database_makes_ready_answer_503_within_the_connect_timeout(production_environment, hung_server):
    hung = {
        **production_environment,
        "DATABASE_URL": f"postgres://blog@127.0.0.1:{hung_server}/blog",
        "DATABASE_CONNECT_TIMEOUT": "3",
    }
    server = Gunicorn(hung)
    try:
        # gunicorn's socket accepts before its worker has imported Django: the first answer includes that import
        # (over a second on a busy machine), so it is bounded by the connect timeout it must never wait for.
        first_live, first_live_seconds = timed(server.get, "/healthz/live")
        live, live_seconds = timed(server.get, "/healthz/live")
        (ready, body), ready_seconds = timed(server.get, "/healthz/ready")
    finally:
        server.stop()

    assert first_live[0].status == 200 and first_live_seconds < 3
    assert live[0].status == 200 and live_seconds < 1
    assert ready.status == 503 and json.loads(body)["failing"] == ["database"]
    assert 2.5 < ready_seconds < 9  # the connect timeout, not gunicorn's 30 s worker timeout


def timed(call, *arguments):
    started = time.monotonic()
    result = call(*arguments)
    return result, time.monotonic() - started
