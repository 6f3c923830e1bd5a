"""restore_drill on a real PostgreSQL: the newest backup restored into a scratch database, checked and recorded."""

import shutil

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from blog_project.backups.crontab import crontab_lines
from blog_project.backups.dump import BackupRequest, create_backup
from blog_project.tests.conftest import run_manage
from operations.models import RestoreDrill


def scratch_databases_left(database) -> list[str]:
    with database.connect() as connection:
        rows = connection.execute("SELECT datname FROM pg_database WHERE datname LIKE 'blog_verify_%'").fetchall()
    return [name for (name,) in rows]


@pytest.fixture
def two_backups(source_database, blog_content, backup_dir, settings):
    settings.BACKUP_DIR = backup_dir
    older = create_backup(source_database, BackupRequest(directory=backup_dir)).backup
    newest = create_backup(source_database, BackupRequest(directory=backup_dir, format="custom")).backup
    return older, newest


def test_the_drill_restores_the_newest_backup_checks_it_and_records_it(source_database, two_backups, capsys):
    call_command("restore_drill")

    drill = RestoreDrill.objects.get()
    assert drill.succeeded, drill.error
    assert drill.backup_file == two_backups[1].dump.name and drill.source == "this server (BACKUP_DIR)"
    assert drill.backup_bytes == two_backups[1].dump.stat().st_size and drill.backup_created_at is not None
    assert 0 < drill.restore_seconds <= drill.total_seconds and drill.fetch_seconds is None
    assert drill.rows > 12 and drill.tables > 10
    smoke = drill.details["smoke"]
    assert smoke["live_posts"] == 3 and smoke["newest_post_sections"] == 4 and smoke["newest_post_tags"] == 2
    assert drill.details["mismatches"] == {}
    assert "Restore drill passed" in capsys.readouterr().out
    assert scratch_databases_left(source_database) == []


def test_a_damaged_newest_backup_fails_the_drill_and_the_record_says_why(source_database, two_backups):
    dump = two_backups[1].dump
    content = bytearray(dump.read_bytes())
    content[len(content) // 2] ^= 0x01
    dump.write_bytes(bytes(content))

    with pytest.raises(CommandError, match=r"restore drill failed .* does not match the sha256"):
        call_command("restore_drill", verbosity=0)

    drill = RestoreDrill.objects.get()
    assert not drill.succeeded and "does not match the sha256" in drill.error
    assert drill.backup_file == dump.name and drill.restore_seconds is None


def test_without_any_backup_the_drill_fails_and_is_recorded(source_database, settings, backup_dir):
    settings.BACKUP_DIR = backup_dir

    with pytest.raises(CommandError, match="there is no complete backup"):
        call_command("restore_drill", verbosity=0)
    assert RestoreDrill.objects.get().error.startswith("there is no complete backup in")


def test_the_drill_of_the_encrypted_offsite_copy(
    source_database, blog_content, offsite_storage, encryption_key, settings
):
    call_command("pg_backup", "--upload", verbosity=0)
    shutil.rmtree(settings.BACKUP_DIR)  # the drill must not use the local copy

    call_command("restore_drill", "--from-storage", "backups", verbosity=0)

    drill = RestoreDrill.objects.get()
    assert drill.succeeded, drill.error
    assert drill.source == "storage 'backups'" and drill.backup_file.endswith(".sql")
    assert drill.fetch_seconds > 0 and drill.total_seconds >= drill.fetch_seconds + drill.restore_seconds
    assert list(settings.BACKUP_DIR.iterdir()) == []  # the downloaded set is gone


def test_cron_runs_the_drill_in_its_own_process(source_database, blog_content, backup_dir):
    environment = {"BACKUP_DIR": str(backup_dir)}
    failed = run_manage("restore_drill", env=environment, database=source_database)
    assert run_manage("pg_backup", env=environment, database=source_database).returncode == 0

    passed = run_manage("restore_drill", env=environment, database=source_database)

    assert failed.returncode == 1 and failed.stdout == ""
    assert failed.stderr.strip().count("\n") == 0 and failed.stderr.startswith("CommandError: restore drill failed")
    assert passed.returncode == 0, passed.stderr
    assert passed.stdout.count("\n") == 1 and passed.stdout.startswith("Restore drill passed: blog_backup_")
    assert list(RestoreDrill.objects.order_by("started_at").values_list("succeeded", flat=True)) == [False, True]


def test_crontab_runs_the_drill_daily_from_the_offsite_copy_when_one_is_made(settings):
    settings.BACKUP_UPLOAD = False
    (local,) = [line for line in crontab_lines(media=True) if "restore_drill" in line and not line.startswith("#")]
    settings.BACKUP_UPLOAD = True
    (offsite,) = [line for line in crontab_lines(media=True) if "restore_drill" in line and not line.startswith("#")]

    assert local.startswith("40 4 * * * ") and local.split("restore_drill")[1].startswith(" >> ")
    assert "restore_drill --from-storage backups >> " in offsite and offsite.endswith("restore_drill.log 2>&1")
