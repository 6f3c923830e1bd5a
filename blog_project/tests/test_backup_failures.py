"""Cron's view of pg_backup: failures exit non-zero with one line and leave every older backup intact."""

import os
import shutil
import subprocess
import sys
import time

import pytest

from blog_project.backups import files, retention
from blog_project.backups.dump import BackupRequest, create_backup
from blog_project.backups.manifest import Manifest, sha256_of
from blog_project.tests.conftest import BASE_DIR, manage_environment, run_manage

DAY = 86400


def snapshot(directory):
    """Every file in the folder with its digest (the lock file included)."""
    return {path.name: sha256_of(path) for path in sorted(directory.iterdir())}


@pytest.fixture
def older_backup(source_database, backup_dir):
    create_backup(source_database, BackupRequest(directory=backup_dir))
    return snapshot(backup_dir)


def assert_one_line_failure(completed, message):
    assert completed.returncode != 0
    lines = [line for line in completed.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, completed.stderr
    assert message in lines[0]


def test_unreachable_database(backup_dir, older_backup):
    completed = run_manage(
        "pg_backup",
        env={"BACKUP_DIR": str(backup_dir), "DATABASE_URL": "postgres://postgres@127.0.0.1:9/blog"},
    )
    assert_one_line_failure(completed, "cannot connect to database blog on 127.0.0.1:9")
    assert snapshot(backup_dir) == older_backup


def test_missing_pg_dump(source_database, backup_dir, older_backup, tmp_path):
    empty = tmp_path / "no-postgres-here"
    empty.mkdir()
    completed = run_manage(
        "pg_backup", env={"BACKUP_DIR": str(backup_dir), "PG_BIN_DIR": str(empty)}, database=source_database
    )
    assert_one_line_failure(completed, f"pg_dump not found (looked in PG_BIN_DIR={empty})")
    assert snapshot(backup_dir) == older_backup


def test_pg_dump_older_than_the_server_is_refused(source_database, backup_dir, older_backup, tmp_path):
    old = tmp_path / "postgresql-9.6" / "bin"
    old.mkdir(parents=True)
    (old / "pg_dump").write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 9.6.24'\n")
    (old / "pg_dump").chmod(0o755)
    completed = run_manage(
        "pg_backup", env={"BACKUP_DIR": str(backup_dir), "PG_BIN_DIR": str(old)}, database=source_database
    )
    assert_one_line_failure(completed, "pg_dump 9.6.24")
    assert "is older than PostgreSQL" in completed.stderr and "set PG_BIN_DIR" in completed.stderr
    assert snapshot(backup_dir) == older_backup


def test_unwritable_backup_folder(source_database, backup_dir, older_backup):
    if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(backup_dir)]).returncode != 0:
        pytest.fail("this test makes the folder immutable with chattr (e2fsprogs) on a filesystem that supports it")
    try:
        completed = run_manage("pg_backup", env={"BACKUP_DIR": str(backup_dir)}, database=source_database)
    finally:
        subprocess.run(["chattr", "-i", str(backup_dir)], check=True)
    assert_one_line_failure(completed, "backup folder")
    assert snapshot(backup_dir) == older_backup


def test_backup_folder_that_cannot_be_created(source_database, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    completed = run_manage("pg_backup", env={"BACKUP_DIR": str(blocker / "backups")}, database=source_database)
    assert_one_line_failure(completed, f"cannot create backup folder {blocker / 'backups'}")


def test_disk_full_while_dumping_leaves_no_partial_file(source_database, blog_content, backup_dir, older_backup):
    """A file-size limit (ulimit -f) makes pg_dump fail halfway, as a full disk would."""
    completed = subprocess.run(
        ["bash", "-c", 'ulimit -f 24 && exec "$0" manage.py pg_backup', sys.executable],
        cwd=BASE_DIR,
        env=manage_environment(source_database, BACKUP_DIR=str(backup_dir)),
        capture_output=True,
        text=True,
    )
    assert_one_line_failure(completed, "pg_dump failed: killed by SIGXFSZ (file too large)")
    assert snapshot(backup_dir) == older_backup


def test_a_run_while_another_holds_the_lock_does_nothing(source_database, backup_dir, older_backup):
    holder = subprocess.Popen(["flock", str(backup_dir / files.LOCK_NAME), "sleep", "30"])
    try:
        deadline = time.monotonic() + 10
        while subprocess.run(["flock", "-n", str(backup_dir / files.LOCK_NAME), "true"]).returncode == 0:
            assert time.monotonic() < deadline, "flock did not take the lock"
            time.sleep(0.05)
        completed = run_manage("pg_backup", env={"BACKUP_DIR": str(backup_dir)}, database=source_database)
    finally:
        holder.kill()
        holder.wait()
    assert_one_line_failure(completed, "another backup is running")
    assert snapshot(backup_dir) == older_backup


def test_two_overlapping_runs_write_only_complete_backups(source_database, blog_content, backup_dir):
    environment = manage_environment(source_database, BACKUP_DIR=str(backup_dir))
    runs = [
        subprocess.Popen(
            [sys.executable, "manage.py", "pg_backup"],
            cwd=BASE_DIR,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outcomes = [(run.wait(timeout=120), run.stderr.read()) for run in runs]

    succeeded = [code for code, _ in outcomes if code == 0]
    assert succeeded, outcomes
    for code, stderr in outcomes:
        assert code == 0 or "another backup is running" in stderr
    backups = files.backup_sets(backup_dir)
    assert len(backups) == len(succeeded)
    for backup in backups:
        manifest = Manifest.read(backup.manifest)
        assert backup.complete and sha256_of(backup.dump) == manifest.sha256
    assert not [path for path in backup_dir.iterdir() if path.name.endswith(".partial")]


def test_cron_wrapper_runs_pg_backup(source_database, backup_dir):
    environment = manage_environment(source_database, BACKUP_DIR=str(backup_dir))
    completed = subprocess.run(
        [str(BASE_DIR / "scripts" / "pg_backup.sh"), "--compress"],
        cwd="/",
        env=environment,
        capture_output=True,
        text=True,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stderr == ""
    assert [backup.dump.suffixes for backup in files.backup_sets(backup_dir)] == [[".sql", ".gz"]]


def age(paths, days):
    moment = time.time() - days * DAY
    for path in paths:
        os.utime(path, (moment, moment))


def fake_set(directory, stamp, manifest=True):
    dump = directory / f"blog_backup_{stamp}.sql"
    dump.write_text("-- dump\n")
    paths = [dump]
    if manifest:
        paths.append(directory / f"blog_backup_{stamp}.manifest.json")
        paths[-1].write_text("{}")
    return paths


def test_retention_after_a_backup_removes_only_our_old_files(source_database, backup_dir):
    backup_dir.mkdir()
    old = fake_set(backup_dir, "20200101_000000") + fake_set(backup_dir, "20200102_000000")
    (backup_dir / "blog_backup_20200103_000000.media.tar.gz").write_text("old media")
    old.append(backup_dir / "blog_backup_20200103_000000.media.tar.gz")
    recent = fake_set(backup_dir, "20200110_000000")
    others = [
        backup_dir / name for name in ("notes.txt", "blog_backup_by_hand.sql", "other_backup_20200101_000000.sql")
    ]
    for path in others:
        path.write_text("keep me")
    age(old + others, days=15)
    age(recent, days=13)

    result = create_backup(source_database, BackupRequest(directory=backup_dir, retention_days=14))

    assert sorted(result.removed) == sorted(old)
    assert all(path.exists() for path in recent + others)
    assert not any(path.exists() for path in old)
    assert result.backup.complete


def test_the_newest_good_backup_is_never_deleted_whatever_its_age(tmp_path):
    good_old = fake_set(tmp_path, "20200101_000000")
    newest_good = fake_set(tmp_path, "20200201_000000")
    newer_incomplete = fake_set(tmp_path, "20200301_000000", manifest=False)
    age(good_old + newest_good + newer_incomplete, days=400)

    removed = retention.prune(tmp_path, days=14)

    assert sorted(removed) == sorted(good_old + newer_incomplete)
    assert all(path.exists() for path in newest_good)


def test_retention_zero_days_keeps_only_the_backup_just_made(source_database, backup_dir):
    first = create_backup(source_database, BackupRequest(directory=backup_dir, retention_days=14))
    age(first.backup.files(), days=1)
    second = create_backup(source_database, BackupRequest(directory=backup_dir, retention_days=0))
    assert [backup.stamp for backup in files.backup_sets(backup_dir)] == [second.backup.stamp]


def test_print_crontab_names_the_scheduled_jobs(source_database):
    completed = run_manage("pg_backup", "--print-crontab")
    assert completed.returncode == 0, completed.stderr
    lines = [line for line in completed.stdout.splitlines() if not line.startswith("#")]
    assert lines[0].startswith("0 * * * * ") and "scripts/pg_backup.sh" in lines[0]
    assert lines[1].startswith("15 4 * * 0 ") and "manage.py verify_backup latest" in lines[1]
    assert lines[2].startswith("* * * * * ") and "manage.py publish_scheduled" in lines[2]
    assert lines[3].startswith("30 3 * * * ") and "manage.py prune_llm_logs" in lines[3]


def test_the_password_reaches_pg_dump_through_the_environment_only(tmp_path):
    from blog_project.backups.connection import Database
    from blog_project.backups.dump import dump_arguments
    from blog_project.backups.tools import Tool

    database = Database.from_url("postgres://blog:s3cret%2Fpass@db.internal:6432/blogdb?sslmode=require")
    arguments = dump_arguments(Tool(tmp_path / "pg_dump", 18, "18.6"), BackupRequest(), tmp_path / "out.sql")
    environment = database.client_environment()

    assert not any("s3cret" in argument or "db.internal" in argument for argument in arguments)
    assert environment["PGPASSWORD"] == "s3cret/pass"
    assert (environment["PGHOST"], environment["PGPORT"], environment["PGUSER"]) == ("db.internal", "6432", "blog")
    assert (environment["PGDATABASE"], environment["PGSSLMODE"]) == ("blogdb", "require")
