"""Cache and database hygiene: the cache's key prefix, and the crontab's cleanup lines, run as printed, removing
old task results, expired sessions and old login records, and nothing else."""

import os
import shlex
import uuid
from datetime import timedelta

import pytest
from axes.models import AccessLog
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from blog_project.backups.crontab import crontab_lines
from blog_project.tests.conftest import run_manage
from blog_project.tests.fault_tasks import sleep_then_answer

CLEANUP = ("prune_db_task_results", "clearsessions", "axes_reset_logs")


def cron_jobs() -> dict[str, tuple[str, list[str]]]:
    """Each ``manage.py`` line of the crontab: its schedule and its arguments, as the shell would split them."""
    jobs = {}
    for line in crontab_lines(media=False):
        if line.startswith("#") or " manage.py " not in line:
            continue
        schedule = " ".join(line.split()[:5])
        arguments = shlex.split(line.split(" manage.py ", 1)[1].split(" >> ", 1)[0])
        jobs[arguments[0]] = (schedule, arguments)
    return jobs


def test_the_crontab_cleans_task_results_sessions_and_login_records_daily():
    jobs = cron_jobs()
    for command in CLEANUP:
        schedule, _ = jobs[command]
        minute, hour, *rest = schedule.split()
        assert rest == ["*", "*", "*"] and minute.isdigit() and hour.isdigit(), (command, schedule)
    assert jobs["prune_db_task_results"][1][1:] == ["--queue-name", "*", "--min-age-days", "30"]
    assert jobs["axes_reset_logs"][1][1:] == ["--age", "30"]
    printed = [line for line in crontab_lines(media=False) if "axes_reset_logs" in line]
    assert printed and printed[0].endswith("var/log/axes_reset_logs.log 2>&1")


def _task(queue: str, status: str, finished_days_ago: float | None) -> str:
    result = sleep_then_answer.using(queue_name=queue).enqueue(0)
    finished = timezone.now() - timedelta(days=finished_days_ago) if finished_days_ago is not None else None
    DBTaskResult.objects.filter(id=result.id).update(status=status, finished_at=finished)
    return str(result.id)


@pytest.mark.django_db
def test_the_cleanup_lines_remove_what_is_old_and_keep_the_rest(django_user_model):
    now = timezone.now()
    old_done = _task("llm", "SUCCESSFUL", 40)
    old_failed = _task("publishing", "FAILED", 31)
    recent = _task("default", "SUCCESSFUL", 2)
    waiting = _task("llm", "READY", None)
    running = _task("publishing", "RUNNING", None)
    Session.objects.create(session_key="expired" * 4, session_data="", expire_date=now - timedelta(minutes=1))
    Session.objects.create(session_key="current" * 4, session_data="", expire_date=now + timedelta(days=1))
    for days in (45, 1):
        record = AccessLog.objects.create(
            username=f"editor-{days}", ip_address="192.0.2.1", user_agent="test", path_info="/admin/login/"
        )
        AccessLog.objects.filter(pk=record.pk).update(attempt_time=now - timedelta(days=days))  # auto_now_add

    jobs = cron_jobs()
    for command in CLEANUP:
        call_command(*jobs[command][1], verbosity=0)

    kept = set(DBTaskResult.objects.values_list("id", flat=True))
    assert {str(task) for task in kept} == {recent, waiting, running}
    assert old_done not in kept and old_failed not in kept
    assert list(Session.objects.values_list("session_key", flat=True)) == ["current" * 4]
    assert list(AccessLog.objects.values_list("username", flat=True)) == ["editor-1"]


def test_cache_keys_carry_the_prefix():
    code = "from django.core.cache import cache; print(cache.make_key('probe'))"
    expected = f"{os.environ.get('CACHE_KEY_PREFIX', 'blog')}:1:probe"
    for variables, key in [({}, expected), ({"CACHE_KEY_PREFIX": "staging"}, "staging:1:probe")]:
        completed = run_manage("shell", "-c", code, env={"REDIS_URL": "", **variables})
        assert completed.returncode == 0, completed.stderr
        assert completed.stdout.strip().splitlines()[-1] == key


def test_a_shared_redis_holds_our_keys_under_the_prefix_with_a_ttl():
    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")
    import redis

    try:
        server = redis.Redis.from_url(url)
        server.ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("CI"):
            pytest.fail(f"Redis is not reachable at {url}")
        pytest.skip(f"Redis is not reachable at {url}; set REDIS_URL to test the shared cache.")
    prefix = f"test-{uuid.uuid4().hex}"  # never flush: REDIS_URL may point at a cache in use
    code = "from django.core.cache import cache; cache.set('probe', 'x', 120)"
    try:
        completed = run_manage("shell", "-c", code, env={"REDIS_URL": url, "CACHE_KEY_PREFIX": prefix})
        assert completed.returncode == 0, completed.stderr
        keys = [key.decode() for key in server.scan_iter(f"{prefix}:*")]
        assert keys == [f"{prefix}:1:probe"]
        assert 0 < server.ttl(keys[0]) <= 120
    finally:
        for key in server.scan_iter(f"{prefix}:*"):
            server.delete(key)


@pytest.mark.django_db
def test_the_crontab_rolls_up_the_llm_metrics_of_the_last_week_nightly():
    schedule, arguments = cron_jobs()["roll_up_llm_metrics"]
    assert schedule == "25 0 * * *" and arguments[1:] == ["--days", "7"]
    call_command(*arguments, verbosity=0)  # the line as printed runs (no logs: nothing to store)
