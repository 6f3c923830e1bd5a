"""Serving through faults, end to end: gunicorn while its database stops, hangs or its Redis dies.

The database is a copy of the test database on a private PostgreSQL (fault_servers.py), so stopping it
disturbs no other test; every test leaves it running.
"""

import http.client
import os
import shutil
import subprocess
import sys
import time

import pytest

from blog_project.tests.conftest import BASE_DIR
from blog_project.tests.fault_servers import Proxy, RedisServer, free_port, wait_for_port
from blog_project.tests.test_serving import Gunicorn
from content.site import page_cache

pytestmark = pytest.mark.django_db(transaction=True)  # rows are committed, for pg_dump to copy them

HTTPS = {"X-Forwarded-Proto": "https"}


@pytest.fixture
def post():
    from content.tests.factories import PostFactory, SectionFactory

    post = PostFactory(title="Served through faults")
    SectionFactory(post=post, content="Words that outlive the database.")
    return post


@pytest.fixture
def database(post, faulty_database):
    return faulty_database


def get(server: Gunicorn, path: str, headers: dict | None = None) -> tuple[http.client.HTTPResponse, bytes, float]:
    started = time.monotonic()
    response, body = server.get(path, headers={**HTTPS, **(headers or {})})
    return response, body, time.monotonic() - started


def poll(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def serving(environment: dict, database, **variables: str) -> Gunicorn:
    return Gunicorn({**environment, "DATABASE_URL": database.url(), "DATABASE_CONNECT_TIMEOUT": "2", **variables})


def test_a_stopped_database_serves_cached_pages_and_503_for_the_rest_then_recovers(
    production_environment, private_postgres, database, post
):
    server = serving(production_environment, database)
    try:
        first, page, _ = get(server, post.get_absolute_url())
        private_postgres.stop()
        hit, hit_page, hit_seconds = get(server, post.get_absolute_url())
        miss, miss_page, miss_seconds = get(server, "/")
        admin, admin_page, _ = get(server, "/admin/", {"Cookie": "sessionid=an-editors-session"})
        private_postgres.start()
        recovered = poll(lambda: get(server, "/")[0].status == 200, seconds=10)
    finally:
        server.stop()

    assert first.status == 200 and b"Served through faults" in page
    assert hit.status == 200 and hit_page == page and hit_seconds < 3
    assert miss.status == 503 and miss.getheader("Retry-After") == "30" and miss_seconds < 5
    assert b"Back in a moment" in miss_page and b'rel="stylesheet"' in miss_page
    assert "no-cache" in miss.getheader("Cache-Control")
    assert admin.status == 503 and b"Back in a moment" in admin_page
    assert recovered  # without restarting gunicorn


@pytest.mark.parametrize("conn_max_age", ["0", "60"])
def test_a_hung_database_costs_a_request_a_bounded_time(
    production_environment, private_postgres, database, post, conn_max_age
):
    proxy = Proxy(private_postgres.port)
    through_proxy = private_postgres.database(database.name, proxy.port)
    server = serving(production_environment, through_proxy, CONN_MAX_AGE=conn_max_age)
    try:
        first, page, _ = get(server, post.get_absolute_url())
        proxy.hold()
        hit, hit_page, hit_seconds = get(server, post.get_absolute_url())
        miss, _, miss_seconds = get(server, "/")
        proxy.release()
        recovered = poll(lambda: get(server, "/")[0].status == 200, seconds=10)
    finally:
        proxy.release()
        server.stop()
        proxy.close()
    # Connecting gives up after 2 s; a persistent connection's health check first waits as long.
    bound = (2 if conn_max_age == "0" else 4) + 2.5  # and a margin for a busy machine
    assert first.status == 200
    assert hit.status == 200 and hit_page == page and hit_seconds < bound
    assert miss.status == 503 and miss_seconds < bound
    assert recovered


@pytest.fixture
def redis(tmp_path):
    """A redis-server of this test's own; missing, the test skips locally and fails in CI (.ci/run installs it)."""
    if not shutil.which("redis-server"):
        if os.environ.get("CI"):
            pytest.fail("redis-server is not installed; .ci/run installs Debian's redis-server package.")
        pytest.skip("redis-server is not installed (apt-get install redis-server); the Redis fault test needs it.")
    server = RedisServer(tmp_path)
    yield server
    server.kill()


@pytest.mark.parametrize("kept_mb", ["0", "16"], ids=["every hit asks Redis", "pages kept in the worker"])
def test_a_redis_killed_or_frozen_under_gunicorn_costs_pages_nothing_but_speed(
    production_environment, database, post, redis, kept_mb
):
    server = serving(
        production_environment, database, REDIS_URL=redis.url, REDIS_TIMEOUT="0.5", PUBLIC_CACHE_MEMORY_MB=kept_mb
    )
    try:
        stored, page, _ = get(server, post.get_absolute_url())
        redis.freeze()  # connections stay open, nothing answers
        frozen, frozen_page, frozen_seconds = get(server, post.get_absolute_url())
        other, _, other_seconds = get(server, "/")
        redis.kill()
        time.sleep(page_cache.CACHE_RETRY_SECONDS + 0.2)  # the cache is asked again, and refuses
        killed, killed_page, _ = get(server, post.get_absolute_url())
        health, _, _ = get(server, "/healthz")
    finally:
        server.stop()

    assert stored.status == 200
    assert frozen.status == 200 and frozen_page == page and frozen_seconds < 3  # REDIS_TIMEOUT once, then no cache
    assert other.status == 200 and other_seconds < 3
    assert killed.status == 200 and killed_page == page
    assert health.status == 503  # the cache is reported failing, pages are not
    log = server.output[1]
    assert "page cache read failed (TimeoutError" in log  # a page the worker did not keep asked the frozen Redis
    if kept_mb == "0":
        assert "page cache read failed (ConnectionError" in log
    else:  # the post page was kept in the worker's memory: Redis was not asked for it, frozen or killed
        assert frozen_seconds < 0.5 and "page cache read failed (ConnectionError" not in log


def test_two_instances_released_and_started_together_both_serve(production_environment, database, post, tmp_path):
    """As `make serve RELEASE=1` on two machines at the same moment: release, then gunicorn, each."""
    environment = {**production_environment, "DATABASE_URL": database.url()}
    ports = [free_port(), free_port()]
    script = "{python} manage.py release --skip-static && exec {gunicorn} blog_project.wsgi --workers 2 --bind {bind}"
    gunicorn = BASE_DIR / ".venv" / "bin" / "gunicorn"
    instances = []
    for port in ports:
        with (tmp_path / f"instance-{port}.log").open("w") as log:
            command = script.format(python=sys.executable, gunicorn=gunicorn, bind=f"127.0.0.1:{port}")
            instances.append(
                subprocess.Popen(
                    ["bash", "-c", command], cwd=BASE_DIR, env=environment, stdout=log, stderr=subprocess.STDOUT
                )
            )
    try:
        for port in ports:
            wait_for_port(port, seconds=60)
        answers = []
        for port in ports:
            for path in ("/healthz/ready", post.get_absolute_url(), "/"):
                client = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                client.request("GET", path, headers={"Host": "blog.example.org", **HTTPS})
                answers.append(client.getresponse().status)
                client.close()
    finally:
        for instance in instances:
            instance.terminate()
        for instance in instances:
            instance.wait(timeout=30)

    logs = [(tmp_path / f"instance-{port}.log").read_text() for port in ports]
    assert answers == [200] * 6, logs
    assert all("Release step done" in log for log in logs), logs
