"""``/metrics``: who may read it, and that its values move with what happens (README, "Metrics")."""

import os
import re
import shutil
import signal
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from blog_project.backups import files
from blog_project.backups.connection import Database
from blog_project.tests.conftest import BASE_DIR, run_manage
from blog_project.tests.fault_tasks import sleep_then_answer
from blog_project.tests.metrics_text import parse, value
from blog_project.tests.scale_servers import WebInstance
from llm.models import LLMLog

pytestmark = pytest.mark.django_db
README = (BASE_DIR / "README.md").read_text()


def scrape(client, **headers) -> dict:
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    assert "no-cache" in response["Cache-Control"]
    return parse(response.content.decode())


@pytest.mark.parametrize("variable", ["METRICS_TOKEN", "METRICS_ALLOWED_IPS", "PROMETHEUS_MULTIPROC_DIR"])
def test_each_variable_is_read_and_has_a_row_in_the_configuration_table(variable):
    assert re.search(rf"^\| `{variable}` \| [^|]+ \| .{{40,}}", README, re.MULTILINE), variable
    assert f'"{variable}"' in (BASE_DIR / "blog_project" / "settings.py").read_text()


def test_make_scale_test_is_documented_and_run_by_ci():
    assert re.search(r"^\| `make scale-test` \| .{40,}", README, re.MULTILINE)
    assert "\nscale-test:" in (BASE_DIR / "Makefile").read_text()
    assert "make test\nmake scale-test\n" in (BASE_DIR / ".ci" / "run").read_text()


def test_without_a_token_only_the_allowed_addresses_are_answered(client, settings):
    assert client.get("/metrics").status_code == 200  # the test client is 127.0.0.1
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 404
    settings.METRICS_ALLOWED_IPS = ["10.0.0.0/8"]
    assert client.get("/metrics", REMOTE_ADDR="10.20.30.40").status_code == 200
    assert client.get("/metrics").status_code == 404  # loopback is no longer listed
    settings.TRUSTED_PROXY_COUNT = 1  # the proxy's address is not the client's
    assert client.get("/metrics", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 404
    assert client.get("/metrics", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="10.9.9.9").status_code == 200


def test_with_a_token_the_bearer_token_is_required_from_any_address(client, settings):
    settings.METRICS_TOKEN = "a-long-random-scrape-token"
    missing = client.get("/metrics")
    wrong = client.get("/metrics", headers={"Authorization": "Bearer not-the-token"})
    basic = client.get("/metrics", headers={"Authorization": "Basic a-long-random-scrape-token"})
    right = client.get(
        "/metrics", REMOTE_ADDR="203.0.113.9", headers={"Authorization": "Bearer a-long-random-scrape-token"}
    )
    assert missing.status_code == wrong.status_code == basic.status_code == 401
    assert missing["WWW-Authenticate"].startswith("Bearer")
    assert right.status_code == 200 and b"blog_http_requests_total" in right.content


def test_a_request_moves_its_counter_and_latency_by_view_and_status(client):
    from content.tests.factories import PostFactory

    post = PostFactory()
    before = scrape(client)
    client.get(post.get_absolute_url())
    client.get("/no-such-page/")
    after = scrape(client)

    def moved(name: str, **labels) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert moved("blog_http_requests_total", view="content:post_detail", status="200") == 1
    assert moved("blog_http_request_duration_seconds_count", view="content:post_detail", status="200") == 1
    assert moved("blog_http_request_duration_seconds_sum", view="content:post_detail", status="200") > 0
    assert moved("blog_http_requests_total", view="unresolved", status="404") == 1
    assert moved("blog_http_requests_total", view="metrics", status="200") == 1  # the first scrape
    assert not [key for key in after if dict(key[1]).get("view", "").startswith("/")]  # never a path


def test_page_cache_hits_and_misses_move(client):
    from content.tests.factories import PostFactory

    post = PostFactory()
    before = scrape(client)
    first = client.get(post.get_absolute_url())
    client.get(post.get_absolute_url())
    client.get(post.get_absolute_url(), headers={"If-None-Match": first["ETag"]})  # 304: a hit, nothing rendered
    after = scrape(client)
    assert value(after, "blog_page_cache_misses_total") - value(before, "blog_page_cache_misses_total") == 1
    assert value(after, "blog_page_cache_hits_total") - value(before, "blog_page_cache_hits_total") == 2


def test_queued_and_overrunning_tasks_show_by_queue(client, settings):
    empty = scrape(client)
    waiting = sleep_then_answer.enqueue(0)
    DBTaskResult.objects.filter(id=waiting.id).update(enqueued_at=timezone.now() - timedelta(seconds=90))
    sleep_then_answer.using(run_after=timezone.now() + timedelta(hours=1)).enqueue(0)  # not due: not waiting
    stuck = sleep_then_answer.using(queue_name="llm").enqueue(0)
    DBTaskResult.objects.filter(id=stuck.id).update(
        status="RUNNING", started_at=timezone.now() - timedelta(seconds=settings.TASK_RUNNING_LIMIT_SECONDS + 5)
    )
    queued = scrape(client)

    assert value(empty, "blog_task_queue_depth", queue="default", default=None) == 0
    assert (
        value(empty, "blog_task_queue_depth", queue="publishing", default=None) == 0
    )  # every configured queue, even empty
    assert value(queued, "blog_task_queue_depth", queue="default") == 1
    assert 90 <= value(queued, "blog_task_queue_oldest_age_seconds", queue="default") < 150
    assert value(queued, "blog_tasks_running", queue="llm") == 1
    assert value(queued, "blog_tasks_running_over_limit", queue="llm") == 1
    assert value(queued, "blog_tasks_running_over_limit", queue="default") == 0
    assert value(queued, "blog_metrics_source_up", source="tasks") == 1


def test_llm_calls_errors_and_cost_of_the_last_day_by_model(client):
    def log(model: str, status: str, cost: str | None, age: timedelta = timedelta(minutes=5)) -> None:
        row = LLMLog.objects.create(operation="summary", model=model, status=status, cost=cost)
        LLMLog.objects.filter(pk=row.pk).update(created_at=timezone.now() - age)

    log("openai/gpt-4o-mini", "success", "0.012500")
    log("openai/gpt-4o-mini", "error", None)
    log("openai/gpt-4o-mini", "success", "0.500000", age=timedelta(hours=25))  # older than the window
    log("ollama/llama3.2", "success", "0")
    samples = scrape(client)

    assert value(samples, "blog_llm_calls_24h", model="openai/gpt-4o-mini") == 2
    assert value(samples, "blog_llm_errors_24h", model="openai/gpt-4o-mini") == 1
    assert value(samples, "blog_llm_cost_usd_24h", model="openai/gpt-4o-mini") == pytest.approx(0.0125)
    assert value(samples, "blog_llm_calls_24h", model="ollama/llama3.2") == 1
    assert value(samples, "blog_llm_errors_24h", model="ollama/llama3.2") == 0


@pytest.mark.django_db(transaction=True)
def test_the_newest_good_backup_shows_its_age_and_size(client, settings, source_database, backup_dir):
    settings.BACKUP_DIR = backup_dir
    none_yet = scrape(client)
    call_command("pg_backup", verbosity=0)
    [made] = files.backup_sets(backup_dir)
    damaged_stamp = (made.created + timedelta(hours=1)).strftime(files.STAMP_FORMAT)  # newer, but cut short
    damaged = backup_dir / files.dump_name(damaged_stamp, "plain")
    damaged.write_bytes(made.dump.read_bytes()[:100])
    shutil.copy(made.manifest, backup_dir / (files.PREFIX + damaged_stamp + files.MANIFEST_SUFFIX))
    samples = scrape(client)

    assert value(none_yet, "blog_backups_complete") == 0
    assert value(none_yet, "blog_backup_newest_age_seconds", default=None) is None
    assert value(samples, "blog_backups_complete") == 2
    assert value(samples, "blog_backup_newest_timestamp_seconds") == made.created.timestamp()
    assert 0 <= value(samples, "blog_backup_newest_age_seconds") < 120
    assert value(samples, "blog_backup_newest_size_bytes") == made.dump.stat().st_size


def test_a_source_that_fails_is_reported_and_the_others_still_are(client, settings, tmp_path):
    settings.BACKUP_DIR = tmp_path / "a-file"
    settings.BACKUP_DIR.write_text("not a folder")
    samples = scrape(client)
    assert value(samples, "blog_metrics_source_up", source="backups") == 0
    assert value(samples, "blog_metrics_source_up", source="tasks") == 1
    assert value(samples, "blog_task_queue_depth", queue="default", default=None) == 0


def test_the_last_restore_drill_shows_once_one_ran(client):
    from operations.models import RestoreDrill

    before = scrape(client)
    RestoreDrill.objects.create(started_at=timezone.now() - timedelta(days=2), succeeded=True, total_seconds=40.0)
    RestoreDrill.objects.create(started_at=timezone.now() - timedelta(days=1), succeeded=False, total_seconds=12.5)
    after = scrape(client)

    assert not [key for key in before if key[0].startswith("blog_restore_drill")]
    assert value(before, "blog_metrics_source_up", source="restore_drill") == 1
    assert value(after, "blog_restore_drill_last_success", default=None) == 0
    assert value(after, "blog_restore_drill_last_duration_seconds") == 12.5
    assert timezone.now().timestamp() - value(after, "blog_restore_drill_last_timestamp_seconds") > 86000


def test_commands_and_task_workers_leave_the_multiprocess_folder_alone(tmp_path):
    """Only web processes serve /metrics: a cron command every minute must not leave files behind."""
    folder = tmp_path / "prometheus"
    folder.mkdir()
    database = Database.from_settings()  # the test database, which exists whatever DATABASE_URL names
    completed = run_manage("check", env={"PROMETHEUS_MULTIPROC_DIR": str(folder)}, database=database)
    assert completed.returncode == 0, completed.stderr
    assert list(folder.iterdir()) == []


WATCHER = "blog_content_state_watcher_healthy"


def scrape_of(server: WebInstance) -> dict:
    response, body = server.get("/metrics")
    assert response.status == 200, body[:300]
    return parse(body.decode())


@pytest.mark.django_db(transaction=True)
def test_gunicorn_workers_counters_are_summed_and_outlive_their_workers(production_environment, tmp_path):
    """Multiprocess mode: whichever worker answers the scrape, the machine's counts, those of killed workers too."""
    from content.tests.factories import PostFactory

    post = PostFactory(title="Counted by every worker")
    folder = tmp_path / "prometheus"
    folder.mkdir()
    (folder / "counter_1.db").write_bytes(b"a previous run's, unreadable")  # gunicorn_conf.py empties the folder
    server = WebInstance(
        {**production_environment, "PROMETHEUS_MULTIPROC_DIR": str(folder)}, tmp_path / "web.log", workers=2
    )
    try:
        server.wait_until_serving()
        for _ in range(5):
            assert server.get("/healthz/live")[0].status == 200
        assert server.get(post.get_absolute_url())[0].status == 200
        assert server.get(post.get_absolute_url())[0].status == 200
        deadline = time.monotonic() + 10
        while value(scrape_of(server), WATCHER, channel="content_state", default=None) != 1:
            assert time.monotonic() < deadline, "the watcher started by the post page never reported"
            time.sleep(0.2)
        first_workers = server.worker_pids()
        for pid in first_workers:
            os.kill(pid, signal.SIGKILL)  # gunicorn starts new ones; their counts stay in the folder
        deadline = time.monotonic() + 30
        while len(set(server.worker_pids()) - set(first_workers)) < 2:
            assert time.monotonic() < deadline, "gunicorn did not replace its workers"
            time.sleep(0.2)
        server.wait_until_serving()
        scrapes = [scrape_of(server) for _ in range(3)]
        plain_http = server.get("/metrics", headers={"X-Forwarded-Proto": "http"})[0]
        plain_page = server.get("/", headers={"X-Forwarded-Proto": "http"})[0]
    finally:
        server.stop()

    assert plain_http.status == 200 and plain_page.status == 301  # scrapers need no TLS proxy
    assert len(list(folder.glob("counter_*.db"))) >= 3  # the two killed workers, and the successor that answered
    for samples in scrapes:
        assert value(samples, "blog_http_requests_total", view="healthz-live", status="200") >= 5 + 1  # and the wait's
        assert value(samples, "blog_http_requests_total", view="content:post_detail", status="200") == 2
        # Without Redis each worker has its own cache: a hit or a second miss, as the workers took the requests.
        assert value(samples, "blog_page_cache_misses_total") + value(samples, "blog_page_cache_hits_total") == 2
        assert value(samples, "blog_page_cache_misses_total") >= 1
        # The killed workers' watchers are forgotten (the new ones have not served a cached page yet).
        assert value(samples, WATCHER, channel="content_state", default=None) is None


@pytest.mark.django_db(transaction=True)
def test_a_scrape_while_the_database_is_down_still_answers_with_what_it_can_read(
    production_environment, private_postgres, faulty_database, tmp_path
):
    environment = {
        **production_environment,
        "DATABASE_URL": faulty_database.url(),
        "DATABASE_CONNECT_TIMEOUT": "2",
        "BACKUP_DIR": str(tmp_path / "backups"),
    }
    server = WebInstance(environment, tmp_path / "web.log")
    try:
        server.wait_until_serving()
        before = scrape_of(server)
        private_postgres.stop()
        started = time.monotonic()
        during = scrape_of(server)
        seconds = time.monotonic() - started
    finally:
        if not private_postgres.running():
            private_postgres.start()
        server.stop()

    database_sources = ("tasks", "watcher_sessions", "llm", "restore_drill")
    assert all(value(before, "blog_metrics_source_up", source=source) == 1 for source in database_sources)
    assert all(value(during, "blog_metrics_source_up", source=source) == 0 for source in database_sources)
    assert value(during, "blog_metrics_source_up", source="backups") == 1
    assert value(during, "blog_http_requests_total", view="metrics", status="200") == 1  # the first scrape
    assert seconds < 4  # one connect timeout (2 s), not one per source
