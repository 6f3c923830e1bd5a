"""Production serving: gunicorn + WhiteNoise, /healthz both ways, the deploy check, CSP, HSTS, login throttling."""

import http.client
import json
import logging
import re
import socket
import subprocess
import time

import pytest
from django.db import connection
from django.urls import reverse

from blog_project.json_logging import JsonFormatter
from blog_project.tests.conftest import BASE_DIR, PRODUCTION, run_manage


def test_deploy_check_reports_no_issue_with_production_settings():
    completed = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "System check identified no issues (0 silenced)." in completed.stdout


@pytest.mark.parametrize(
    ("secret_key", "message"),
    [("", "SECRET_KEY must be set when DEBUG is off."), ("short", "SECRET_KEY must be a random value of 50+")],
)
def test_production_refuses_to_start_without_a_real_secret_key(secret_key, message):
    completed = run_manage("check", "--deploy", env={**PRODUCTION, "SECRET_KEY": secret_key})
    assert completed.returncode != 0
    assert message in completed.stderr


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Gunicorn:
    """`gunicorn blog_project.wsgi`, as `make serve` starts it, on a free port; ``capture``: keep its stdout
    (the access log) and stderr for ``output`` after ``stop``."""

    def __init__(self, environment, *arguments: str, capture: bool = False):
        self.port = free_port()
        self.address = f"127.0.0.1:{self.port}"
        self.output = ("", "")
        self.process = subprocess.Popen(
            [
                str(BASE_DIR / ".venv" / "bin" / "gunicorn"),
                *arguments,
                "blog_project.wsgi",
                "--workers",
                "1",
                "--bind",
                self.address,
            ],
            cwd=BASE_DIR,
            env=environment,
            stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise AssertionError(f"gunicorn did not start: {self.output[1]}") from None
                time.sleep(0.1)

    def get(self, path, headers=None):
        client = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        client.request("GET", path, headers={"Host": "blog.example.org", **(headers or {})})
        response = client.getresponse()
        body = response.read()
        client.close()
        return response, body

    def stop(self):
        self.process.terminate()
        stdout, stderr = self.process.communicate(timeout=30)
        self.output = (stdout or "", stderr or "")


def test_gunicorn_serves_pages_static_files_and_health_in_production(production_environment):
    server = Gunicorn(production_environment)
    try:
        health, body = server.get("/healthz")
        redirect, _ = server.get("/")
        page, html = server.get("/", headers={"X-Forwarded-Proto": "https"})
        stylesheet = re.search(rb'href="(/static/css/site\.[0-9a-f]{12}\.css)"', html)
        assert stylesheet, html[:500]
        static, css = server.get(
            stylesheet.group(1).decode(), headers={"Accept-Encoding": "gzip", "X-Forwarded-Proto": "https"}
        )
    finally:
        server.stop()

    assert health.status == 200  # plain HTTP: a load balancer's probe is not redirected
    assert json.loads(body)["status"] == "ok"
    assert redirect.status == 301 and redirect.getheader("Location") == "https://blog.example.org/"
    assert page.status == 200
    assert page.getheader("Strict-Transport-Security") == "max-age=31536000; includeSubDomains; preload"
    assert "default-src 'self'" in page.getheader("Content-Security-Policy")
    assert page.getheader("X-Frame-Options") == "DENY"
    assert static.status == 200
    assert static.getheader("Content-Encoding") == "gzip"
    assert "immutable" in static.getheader("Cache-Control")
    assert len(css) > 0


def watcher_sessions() -> int:
    """Sessions of content-state watchers (content/content_state.py) on the test database."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = %s",
            ["blog content-state watcher"],
        )
        return cursor.fetchone()[0]


def poll(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def test_a_gunicorn_worker_starts_its_watcher_on_first_use_and_sees_changes_at_once(production_environment):
    from content.models import Post
    from content.tests.factories import PostFactory

    post = PostFactory(title="The first title")  # committed: the test database is transactional here
    https = {"X-Forwarded-Proto": "https"}
    server = Gunicorn(production_environment)
    try:
        health, _ = server.get("/healthz")  # the worker has loaded the whole site
        sessions_before_a_page = watcher_sessions()
        page, html = server.get(post.get_absolute_url(), headers=https)
        watcher_started = poll(lambda: watcher_sessions() == 1, seconds=5)
        Post.objects.filter(pk=post.pk).update(title="The second title")
        seen = poll(lambda: b"The second title" in server.get(post.get_absolute_url(), headers=https)[1], seconds=2)
    finally:
        server.stop()

    assert health.status == 200 and sessions_before_a_page == 0
    assert page.status == 200 and b"The first title" in html
    assert watcher_started and seen
    assert poll(lambda: watcher_sessions() == 0, seconds=5)  # gone with the worker


def test_healthz_names_the_database_and_the_cache_when_they_fail(production_environment):
    broken = {
        **production_environment,
        "DATABASE_URL": "postgres://postgres@127.0.0.1:9/blog",
        "REDIS_URL": "redis://127.0.0.1:9/0",
    }
    server = Gunicorn(broken)
    try:
        response, body = server.get("/healthz")
    finally:
        server.stop()

    report = json.loads(body)
    assert response.status == 503
    assert report["status"] == "failing"
    assert report["failing"] == ["database", "cache"]
    assert report["checks"]["storage"]["ok"] is True
    assert "OperationalError" in report["checks"]["database"]["error"]


@pytest.mark.django_db
def test_healthz_is_ok_when_every_part_answers(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json()["failing"] == []
    assert set(response.json()["checks"]) == {"database", "cache", "storage"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_names_storage_when_media_cannot_be_written(client, settings, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    settings.MEDIA_ROOT = blocker / "media"
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["failing"] == ["storage"]


@pytest.mark.django_db
def test_pages_carry_a_content_security_policy(client):
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "object-src 'none'" in policy
    assert "frame-ancestors 'none'" in policy


@pytest.mark.django_db
def test_admin_login_is_throttled_after_repeated_failures(client, django_user_model, settings):
    django_user_model.objects.create_superuser("editor", "editor@example.org", "the-right-password-1")
    login = reverse("admin:login")
    statuses = [
        client.post(login, {"username": "editor", "password": f"wrong-{n}"}).status_code
        for n in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert statuses == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]

    locked_out = client.post(login, {"username": "editor", "password": "the-right-password-1"})
    assert locked_out.status_code == 429
    assert "_auth_user_id" not in client.session

    django_user_model.objects.create_superuser("other", "other@example.org", "another-password-2")
    other = client.post(login, {"username": "other", "password": "another-password-2"})
    assert other.status_code == 302  # the lockout is for that user name from that address only


@pytest.mark.django_db
def test_test_client_logins_still_work(client, staff_client, django_user_model):
    assert staff_client.get(reverse("admin:index")).status_code == 200
    django_user_model.objects.create_superuser("scripted", "s@example.org", "scripted-password-3")
    assert client.login(username="scripted", password="scripted-password-3")
    assert client.get(reverse("admin:index")).status_code == 200


@pytest.mark.django_db
def test_slow_queries_are_logged_above_the_threshold(settings, caplog):
    settings.SLOW_QUERY_MS = 20
    with caplog.at_level(logging.WARNING, logger="blog_project.slow_queries"), connection.cursor() as cursor:
        cursor.execute("SELECT pg_sleep(0.05)")
        cursor.execute("SELECT 1")
    slow = [record for record in caplog.records if record.name == "blog_project.slow_queries"]
    assert len(slow) == 1
    assert "pg_sleep" in slow[0].getMessage() and slow[0].duration_ms >= 50


@pytest.mark.django_db
def test_slow_query_logging_can_be_turned_off(settings, caplog):
    settings.SLOW_QUERY_MS = 0
    with caplog.at_level(logging.WARNING, logger="blog_project.slow_queries"), connection.cursor() as cursor:
        cursor.execute("SELECT pg_sleep(0.03)")
    assert not [record for record in caplog.records if record.name == "blog_project.slow_queries"]


def test_json_logs_when_asked():
    code = "import logging; logging.getLogger('blog.test').warning('hello %s', 'world', extra={'post_id': 7})"
    completed = run_manage("shell", "-c", code, env={"LOG_FORMAT": "json"})
    assert completed.returncode == 0, completed.stderr
    entry = json.loads(completed.stderr.strip().splitlines()[-1])
    assert entry["message"] == "hello world"
    assert (entry["level"], entry["logger"], entry["post_id"]) == ("WARNING", "blog.test", 7)


def test_json_formatter_keeps_exceptions():
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.getLogger("x").makeRecord("x", logging.ERROR, "f", 1, "failed", (), exc_info=True)
        record.exc_info = __import__("sys").exc_info()
    entry = json.loads(JsonFormatter().format(record))
    assert entry["message"] == "failed" and "ValueError: boom" in entry["exception"]


def test_an_unknown_log_format_is_refused():
    completed = run_manage("check", env={"LOG_FORMAT": "xml"})
    assert completed.returncode != 0
    assert "LOG_FORMAT must be text or json" in completed.stderr


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_content_security_policy_blocks_nothing_of_ours_in_chromium(browser_page, staff_client):
    """Public page, admin login and admin pages load in a real browser with no CSP violation."""
    browser_page.goto(browser_page.base_url + "/")
    browser_page.goto(browser_page.base_url + reverse("admin:login"))
    browser_page.get_by_label("Username").fill("admin")
    browser_page.get_by_label("Password").fill("pass-word-123")
    browser_page.get_by_role("button", name="Log in").click()
    browser_page.wait_for_url("**/admin/")
    browser_page.goto(browser_page.base_url + reverse("admin:content_post_add"))
    assert browser_page.get_by_role("heading", name="Add post").is_visible()
    assert [error for error in browser_page.console_errors if "Content Security Policy" in error] == []

    # and the policy is enforced: an injected inline script does not run
    browser_page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.injected = 1'; document.head.append(s); }"
    )
    assert browser_page.evaluate("() => window.injected") is None
    assert any("Content Security Policy" in error for error in browser_page.console_errors)
