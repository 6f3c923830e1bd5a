"""`manage.py run_worker` through faults: a database outage, a worker killed while it runs a task."""

import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from blog_project.task_worker import LEASE_KEY, LEASE_PREFIX, LOST, OVERRAN, fail_abandoned_tasks
from blog_project.tests.conftest import BASE_DIR, manage_environment
from blog_project.tests.fault_tasks import sleep_then_answer

pytestmark = pytest.mark.django_db(transaction=True)  # the workers are other processes: rows are committed


def start_worker(database, log_path):
    log = log_path.open("a")
    process = subprocess.Popen(
        [sys.executable, "manage.py", "run_worker", "--interval", "0.2", "--no-startup-delay", "--no-reload"],
        cwd=BASE_DIR,
        env=manage_environment(database, TASK_LEASE_CHECK_SECONDS="1"),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    log.close()
    return process


def stop(*processes):
    for process in processes:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)


def task_row(database, task_id) -> tuple:
    with database.connect() as connection:
        return connection.execute(
            "SELECT status, exception_class_path, traceback FROM django_tasks_database_dbtaskresult WHERE id = %s",
            [task_id],
        ).fetchone()


def wait_for_status(database, task_id, status: str, seconds: float) -> tuple:
    deadline = time.monotonic() + seconds
    while (row := task_row(database, task_id))[0] != status:
        assert time.monotonic() < deadline, f"task still {row[0]} after {seconds} s, not {status}"
        time.sleep(0.1)
    return row


def test_a_worker_killed_mid_task_leaves_the_task_failed_with_its_reason(source_database, tmp_path):
    running = sleep_then_answer.enqueue(60)
    log = tmp_path / "worker.log"
    first = start_worker(source_database, log)
    second = None
    try:
        wait_for_status(source_database, running.id, "RUNNING", seconds=30)
        first.send_signal(signal.SIGKILL)  # no chance to record anything
        first.wait(timeout=10)
        second = start_worker(source_database, log)  # as systemd restarts it, or another machine's worker
        _, exception_class, reason = wait_for_status(source_database, running.id, "FAILED", seconds=30)
        after = sleep_then_answer.enqueue(0)
        wait_for_status(source_database, after.id, "SUCCESSFUL", seconds=15)
    finally:
        stop(first, *([second] if second else []))

    assert exception_class == LOST[0] == "blog_project.task_worker.WorkerLost"
    assert LOST[1] in reason
    assert sleep_then_answer.get_result(running.id).status == "FAILED"


def test_the_worker_waits_out_a_database_outage_and_fails_the_task_it_could_not_record(
    private_postgres, source_database, tmp_path
):
    log = tmp_path / "worker.log"
    interrupted = sleep_then_answer.enqueue(1)
    queued = sleep_then_answer.enqueue(0)
    database = private_postgres.copy_of(source_database, "blog_faults")  # both tasks, READY
    private_postgres.stop()
    worker = start_worker(database, log)  # started during an outage: it waits
    try:
        time.sleep(3)
        alive_at_start = worker.poll() is None
        private_postgres.start()
        wait_for_status(database, interrupted.id, "RUNNING", seconds=30)
        private_postgres.stop()
        time.sleep(4)  # the task ends while the database is down (its outcome cannot be recorded), then more
        alive_during_outage = worker.poll() is None
        private_postgres.start()
        lost = wait_for_status(database, interrupted.id, "FAILED", seconds=30)
        wait_for_status(database, queued.id, "SUCCESSFUL", seconds=15)
        alive_after = worker.poll() is None
    finally:
        stop(worker)
        if not private_postgres.running():
            private_postgres.start()

    output = log.read_text()
    assert alive_at_start and alive_during_outage and alive_after, output
    assert output.count("Database unreachable") >= 3  # at start; the task's end, then at least one more try
    assert lost[1] == LOST[0]


def test_the_check_fails_running_tasks_without_their_lease_and_those_past_the_limit(source_database):
    def running(started_ago: timedelta, worker_id: str) -> str:
        result = sleep_then_answer.enqueue(0)
        DBTaskResult.objects.filter(id=result.id).update(
            status="RUNNING", started_at=timezone.now() - started_ago, worker_ids=[worker_id]
        )
        return str(result.id)

    overran = running(timedelta(hours=2), "a-db_worker")
    unleased = running(timedelta(seconds=5), "a-db_worker")  # no lease to judge it by, and within the limit
    leased = running(timedelta(seconds=5), f"{LEASE_PREFIX}alive")
    lost = running(timedelta(seconds=5), f"{LEASE_PREFIX}killed")
    with source_database.connect() as worker_session:  # the live worker's lease
        worker_session.execute(f"SELECT pg_advisory_lock({LEASE_KEY})", [leased])
        failed = fail_abandoned_tasks(limit_seconds=3600)
        again = fail_abandoned_tasks(limit_seconds=3600)

    assert sorted(failed) == sorted([overran, lost]) and again == []
    rows = {str(row.id): row for row in DBTaskResult.objects.all()}
    assert (rows[overran].status, rows[overran].exception_class_path) == ("FAILED", OVERRAN[0])
    assert (rows[lost].status, rows[lost].exception_class_path) == ("FAILED", LOST[0])
    assert rows[lost].finished_at is not None and LOST[1] in rows[lost].traceback
    assert rows[unleased].status == rows[leased].status == "RUNNING"
