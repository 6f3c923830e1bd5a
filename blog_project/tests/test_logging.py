"""Logs: one JSON object per line from every process with LOG_FORMAT=json, each line once, request ids and
durations on access lines, the id carried back on the response."""

import http.client
import json
import re
import subprocess
import sys
import time
from collections import Counter

import pytest
from django.test import Client

from blog_project.tests.conftest import BASE_DIR, manage_environment
from blog_project.tests.test_serving import Gunicorn, free_port

GENERATED = re.compile(r"[0-9a-f]{32}")


def parsed_lines(*outputs: str) -> list[dict]:
    """Every line of the outputs as JSON (the test fails on the first that is not), no line twice."""
    lines = [line for output in outputs for line in output.splitlines() if line.strip()]
    repeated = [line for line, count in Counter(lines).items() if count > 1]
    assert not repeated, f"printed more than once: {repeated}"
    entries = []
    for line in lines:
        try:
            entries.append(json.loads(line))
        except json.JSONDecodeError:
            pytest.fail(f"not a JSON line: {line!r}")
    return entries


def test_gunicorn_writes_json_lines_with_request_ids_and_durations(production_environment):
    environment = {**production_environment, "LOG_FORMAT": "json"}
    server = Gunicorn(environment, "-c", "blog_project/gunicorn_conf.py", capture=True)
    https = {"X-Forwarded-Proto": "https"}
    try:
        sent = {
            "/healthz/live": server.get("/healthz/live", headers={"X-Request-ID": "probe-1"})[0],
            "/": server.get("/", headers={**https, "X-Request-ID": "page-2"})[0],
            "/missing/": server.get("/missing/", headers={**https, "X-Request-ID": "missing-3"})[0],
        }
        made_up = server.get("/healthz/live")[0]
        refused = server.get("/healthz/live", headers={"X-Request-ID": 'two words "quoted"'})[0]
    finally:
        server.stop()
    stdout, stderr = server.output

    assert [response.getheader("X-Request-ID") for response in sent.values()] == ["probe-1", "page-2", "missing-3"]
    assert sent["/"].status == 200 and sent["/missing/"].status == 404
    assert GENERATED.fullmatch(made_up.getheader("X-Request-ID"))
    assert GENERATED.fullmatch(refused.getheader("X-Request-ID"))  # not a value to put in a log line

    entries = parsed_lines(stdout, stderr)
    access = [entry for entry in entries if entry["logger"] == "gunicorn.access"]
    assert all(entry["logger"] == "gunicorn.access" for entry in parsed_lines(stdout))  # access log: stdout
    assert [(entry["path"], entry["status"], entry["request_id"]) for entry in access] == [
        ("/healthz/live", 200, "probe-1"),
        ("/", 200, "page-2"),
        ("/missing/", 404, "missing-3"),
        ("/healthz/live", 200, made_up.getheader("X-Request-ID")),
        ("/healthz/live", 200, refused.getheader("X-Request-ID")),
    ]
    assert all(isinstance(entry["duration_ms"], float) and entry["duration_ms"] >= 0 for entry in access)
    assert {entry["method"] for entry in access} == {"GET"}
    # the site's own line about the 404, from the worker, carries the same id; gunicorn's master is there too
    not_found = [entry for entry in entries if entry["logger"] == "django.request"]
    assert [(entry["message"], entry["request_id"]) for entry in not_found] == [("Not Found: /missing/", "missing-3")]
    assert any(entry["logger"] == "gunicorn.error" and "Listening at" in entry["message"] for entry in entries)


def test_gunicorn_text_access_lines_carry_the_duration_and_request_id(production_environment):
    server = Gunicorn(production_environment, "-c", "blog_project/gunicorn_conf.py", capture=True)
    try:
        server.get("/healthz/live", headers={"X-Request-ID": "text-1"})
    finally:
        server.stop()
    (line,) = server.output[0].splitlines()
    assert re.search(r'"GET /healthz/live HTTP/1.1" 200 \d+ "-" "[^"]*" \d+ms text-1$', line), line


def test_the_development_server_prints_each_line_once_as_json(source_database):
    """`make run`'s runserver under DEBUG: Django's own loggers used to print each line twice."""
    port = free_port()
    environment = manage_environment(source_database, DEBUG="true", LOG_FORMAT="json")
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=BASE_DIR,
        env=environment,
        stdout=subprocess.DEVNULL,  # runserver's banner, not a log
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        response = None
        deadline = time.monotonic() + 30
        while response is None:
            try:
                client = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                client.request("GET", "/missing/", headers={"X-Request-ID": "dev-1"})
                response = client.getresponse()
                response.read()
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "runserver did not start"
                time.sleep(0.2)
    finally:
        server.terminate()
        _, stderr = server.communicate(timeout=30)

    assert response.status == 404 and response.getheader("X-Request-ID") == "dev-1"
    entries = parsed_lines(stderr)
    by_logger = {entry["logger"]: entry for entry in entries}
    assert [entry["logger"] for entry in entries].count("django.request") == 1
    assert by_logger["django.request"]["request_id"] == "dev-1"
    assert by_logger["django.server"]["request_id"] == "dev-1"
    assert by_logger["django.server"]["status_code"] == 404 and by_logger["django.server"]["duration_ms"] >= 0
    assert "request" not in by_logger["django.server"]  # the socket object, not useful as a string


@pytest.mark.django_db(transaction=True)
def test_the_task_worker_writes_json_lines_once(source_database):
    from content.editorial.tasks import publish_scheduled_posts

    result = publish_scheduled_posts.enqueue()
    completed = subprocess.run(
        [sys.executable, "manage.py", "run_worker", "--queue-name", "publishing,default", "--batch"],
        cwd=BASE_DIR,
        env=manage_environment(source_database, DEBUG="true", LOG_FORMAT="json"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    entries = parsed_lines(completed.stdout, completed.stderr)
    messages = " ".join(entry["message"] for entry in entries)
    assert f"id={result.id}" in messages and "SUCCESSFUL" in messages


def test_commands_log_each_line_once_under_debug():
    code = (
        "import logging; logging.getLogger('django.request').warning('from django');"
        " logging.getLogger('blog.test').warning('from us'); import warnings; warnings.warn('careful')"
    )
    completed = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=BASE_DIR,
        env=manage_environment(DEBUG="true", LOG_FORMAT="json"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    entries = parsed_lines(completed.stderr)
    assert [entry["message"] for entry in entries if entry["logger"] != "py.warnings"] == ["from django", "from us"]
    assert any("careful" in entry["message"] for entry in entries if entry["logger"] == "py.warnings")


@pytest.mark.django_db
def test_the_request_id_header_can_be_renamed(settings):
    settings.REQUEST_ID_HEADER = "X-Correlation-ID"
    response = Client().get("/healthz/live", headers={"X-Correlation-ID": "from-the-proxy"})
    assert response["X-Correlation-ID"] == "from-the-proxy"
    assert "X-Request-ID" not in response
