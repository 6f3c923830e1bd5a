"""Project-wide pytest fixtures."""

import pytest

# The OpenAI-compatible test server (fixture ``llm_server``), for the llm and content tests; moto's S3 server
# (``s3_endpoint``, ``s3_bucket``) for storage tests.
pytest_plugins = ["llm.tests.provider_server", "testing.s3_server"]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Close sessions that live-server threads left open, so the test database can be dropped."""
    yield
    from django.db import connection

    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@pytest.fixture(autouse=True)
def _page_cache_asks_the_database(settings):
    """Most tests write inside a transaction that never commits, so no notification ever comes:
    the page cache queries the content state instead (content/tests/test_content_state.py turns
    the watcher on, in tests that commit)."""
    settings.PAGE_CACHE_LISTEN = False


@pytest.fixture(autouse=True)
def _fast_password_hasher(request, settings):
    """Tests make users and log them in by the hundred; the production hasher is slow on purpose (half a
    second a password here). Served processes (gunicorn, commands) read the real settings and could not check
    such a password: the tests that log in through them (``scale``) keep the real hasher."""
    if request.node.get_closest_marker("scale") is None:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Every test writes media into its own folder, never into var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def staff_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("admin", "admin@example.org", "pass-word-123")
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture(autouse=True)
def _demo_credentials_in_tmp(settings, tmp_path):
    settings.DEMO_CREDENTIALS_FILE = tmp_path / "admin-credentials.txt"


def pytest_collection_modifyitems(config, items):
    """Tests in Chromium run last, all on one browser (``chromium``): Playwright keeps an event loop running in
    this thread while the browser is open, which ``asyncio.run`` in any later test would refuse."""
    items.sort(key=lambda item: "browser_page" in getattr(item, "fixturenames", ()))


@pytest.fixture(scope="session")
def chromium():
    """One headless Chromium (Debian's package) for every browser test, driven by Playwright: starting one
    costs about three seconds, a fresh context per test (``browser_page``) a tenth of that.

    Skips with a reason when Chromium is missing locally; in CI (CI=true) a missing browser is a failure,
    never a skip.
    """
    import os
    import shutil

    executable = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not executable:
        if os.environ.get("CI"):
            pytest.fail("Chromium is not installed; .ci/run installs Debian's chromium package.")
        pytest.skip("Chromium is not installed (apt-get install chromium); the browser test needs it.")
    # Playwright's sync API runs an event loop in this thread; the ORM calls made by
    # tests around it are still synchronous.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def browser_page(chromium, live_server):
    """A page in its own browser context (cookies, storage and viewport of its own); every context the test
    opened is closed after it. Console errors are collected on ``page.console_errors``."""
    page = chromium.new_context().new_page()
    page.console_errors = []
    page.on("console", lambda message: message.type == "error" and page.console_errors.append(message.text))
    page.on("pageerror", lambda error: page.console_errors.append(str(error)))
    page.base_url = live_server.url
    try:
        yield page
    finally:
        for context in chromium.contexts:
            context.close()
        _wait_for_requests_in_flight()


def _wait_for_requests_in_flight(seconds: float = 10.0) -> None:
    """A request the page sent just before it closed (a live preview, a checklist recheck) may still be in its
    transaction in a thread of the live server: the test database's flush after the test would deadlock with it.
    Those threads are daemons, which the server does not keep a list of; their target names them."""
    import threading
    import time

    deadline = time.monotonic() + seconds
    for thread in threading.enumerate():
        if thread.name.endswith("(process_request_thread)"):
            thread.join(max(0.0, deadline - time.monotonic()))


@pytest.fixture
def screenshot_dir():
    """Where browser tests save their screenshots (test-output/, kept by CI)."""
    from pathlib import Path

    path = Path(__file__).resolve().parent / "test-output" / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path
