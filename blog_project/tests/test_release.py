"""`manage.py release` (make release): migrate and collectstatic under an advisory lock, safe to run concurrently."""

import subprocess
import sys
import time

from blog_project.backups.connection import create_database
from blog_project.management.commands.release import LOCK_KEY
from blog_project.tests.conftest import BASE_DIR, manage_environment, run_manage


def start_release(database, static_root, log_path):
    log = log_path.open("w")
    process = subprocess.Popen(
        [sys.executable, "manage.py", "release", "--lock-timeout", "240"],
        cwd=BASE_DIR,
        env=manage_environment(database, STATIC_ROOT=str(static_root)),
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    log.close()
    return process


def wait_for(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def test_two_concurrent_releases_on_a_fresh_database_both_succeed(source_database, scratch_databases, tmp_path):
    fresh = scratch_databases("release")
    create_database(source_database, fresh.name)
    static_root = tmp_path / "static"
    logs = [tmp_path / "first.log", tmp_path / "second.log"]

    # Hold the release lock so that both runs are certainly waiting at the same time, then let them race.
    with fresh.connect() as holder:
        holder.execute("SELECT pg_advisory_lock(%s)", [LOCK_KEY])
        processes = [start_release(fresh, static_root, log) for log in logs]
        both_waiting = wait_for(lambda: all("Another release is running" in log.read_text() for log in logs), 90)
        holder.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])
        returncodes = [process.wait(timeout=240) for process in processes]

    outputs = [log.read_text() for log in logs]
    assert both_waiting, outputs
    assert returncodes == [0, 0], outputs
    assert all("Release step done: database migrated, static files collected." in output for output in outputs)
    assert sum("Applying content." in output for output in outputs) == 1  # one migrated, the other found it done
    assert (static_root / "css" / "site.css").is_file()
    check = run_manage("migrate", "--check", database=fresh)
    assert check.returncode == 0, check.stdout + check.stderr
    with fresh.connect() as connection:  # the lock is free again
        assert connection.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY]).fetchone()[0]


def test_a_release_gives_up_when_another_holds_the_lock_too_long(source_database, scratch_databases, tmp_path):
    fresh = scratch_databases("release_wait")
    create_database(source_database, fresh.name)
    with fresh.connect() as holder:
        holder.execute("SELECT pg_advisory_lock(%s)", [LOCK_KEY])
        started = time.monotonic()
        completed = run_manage("release", "--lock-timeout", "1", database=fresh)
        elapsed = time.monotonic() - started

    assert completed.returncode == 1
    assert "another release has held the lock for more than 1 s; nothing was done" in completed.stderr
    assert elapsed < 30
    with fresh.connect() as connection:
        assert connection.execute("SELECT to_regclass('django_migrations')").fetchone()[0] is None
