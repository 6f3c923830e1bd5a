"""Damaged backups are reported with a failing exit status, and a refused restore leaves nothing behind."""

import json

import pytest

from blog_project.backups.connection import database_exists
from blog_project.backups.dump import BackupRequest, create_backup
from blog_project.backups.errors import BackupError
from blog_project.backups.restore import RestoreRequest, restore_backup
from blog_project.tests.conftest import run_manage


@pytest.fixture
def two_backups(source_database, backup_dir):
    """An older plain backup and a newer custom one, both good, made by pg_backup's own code."""
    older = create_backup(source_database, BackupRequest(directory=backup_dir)).backup
    newer = create_backup(source_database, BackupRequest(directory=backup_dir, format="custom")).backup
    return older, newer


def list_backups(backup_dir, *args):
    return run_manage("list_backups", "--dir", str(backup_dir), *args)


def test_check_exits_zero_when_every_backup_is_intact(two_backups, backup_dir):
    completed = list_backups(backup_dir, "--check")
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.count("ok, sha256 checked") == 2
    assert completed.stderr == ""


def test_check_fails_naming_a_backup_whose_contents_changed(two_backups, backup_dir):
    older, newer = two_backups
    content = bytearray(older.dump.read_bytes())
    content[len(content) // 2] ^= 0x01  # same size, one bit different
    older.dump.write_bytes(bytes(content))

    completed = list_backups(backup_dir, "--check")

    assert completed.returncode == 1
    [line] = completed.stderr.strip().splitlines()  # one line for cron's mail
    assert line.startswith("CommandError: 1 of 2 backups")
    assert older.dump.name in line and newer.dump.name not in line
    assert "its contents changed after the backup was made" in line
    assert f"{older.dump.name} does not match the sha256" in completed.stdout


def test_check_fails_on_a_truncated_dump_and_a_missing_media_archive(source_database, backup_dir, settings):
    settings.MEDIA_ROOT.mkdir(parents=True)
    (settings.MEDIA_ROOT / "photo.jpg").write_bytes(b"not really a photo")
    with_media = create_backup(source_database, BackupRequest(directory=backup_dir, media=True)).backup
    truncated = create_backup(source_database, BackupRequest(directory=backup_dir)).backup
    with_media.media.unlink()
    truncated.dump.write_bytes(truncated.dump.read_bytes()[:100])

    completed = list_backups(backup_dir, "--check")

    assert completed.returncode == 1
    assert "2 of 2 backups" in completed.stderr
    assert f"{with_media.media.name} is missing" in completed.stderr
    assert f"{truncated.dump.name} is 100 bytes but was" in completed.stderr
    assert "cut short or changed since" in completed.stderr


def test_an_unreadable_manifest_fails_even_without_check_and_in_json(two_backups, backup_dir):
    older, _ = two_backups
    older.manifest.write_text("{ half a manifest")

    plain = list_backups(backup_dir)
    as_json = list_backups(backup_dir, "--json", "--check")

    assert plain.returncode == 1 and as_json.returncode == 1
    assert f"manifest {older.manifest.name} is not valid JSON" in plain.stderr
    statuses = {row["file"]: row["status"] for row in json.loads(as_json.stdout)}
    assert statuses[older.dump.name].startswith("damaged: manifest")
    assert list(statuses.values()).count("ok, sha256 checked") == 1


def claim_newer_server(backup, major: int = 99) -> None:
    """Make the manifest say the backup comes from a server newer than any we run."""
    manifest = json.loads(backup.manifest.read_text())
    manifest["server_major"], manifest["server_version"] = major, f"{major}.1"
    backup.manifest.write_text(json.dumps(manifest))


@pytest.mark.parametrize("format_name", ["plain", "custom"])
def test_a_version_refusal_creates_no_target_database(source_database, backup_dir, scratch_databases, format_name):
    backup = create_backup(source_database, BackupRequest(directory=backup_dir, format=format_name)).backup
    claim_newer_server(backup)
    target = scratch_databases("newer")

    with pytest.raises(BackupError, match=r"comes from PostgreSQL 99\.1; .* nothing was changed"):
        restore_backup(RestoreRequest(path=backup.dump, target=target, create=True))

    assert not database_exists(source_database, target.name)


def test_the_restore_command_refusing_a_newer_backup_leaves_no_database(source_database, backup_dir, scratch_databases):
    backup = create_backup(source_database, BackupRequest(directory=backup_dir)).backup
    claim_newer_server(backup)
    target = scratch_databases("newer_cli")

    completed = run_manage("pg_restore", str(backup.dump), "--target", target.url())

    assert completed.returncode == 1
    assert "comes from PostgreSQL 99.1" in completed.stderr
    assert not database_exists(source_database, target.name)


def test_a_failed_restore_drops_the_database_it_created(source_database, backup_dir, scratch_databases, tmp_path):
    """Without a manifest nothing is checked beforehand; the database made for the restore goes again."""
    backup = create_backup(source_database, BackupRequest(directory=backup_dir)).backup
    broken = tmp_path / "copied-by-hand.sql"
    broken.write_text(backup.dump.read_text() + "\nSELECT no_such_function();\n")
    target = scratch_databases("failed")

    with pytest.raises(BackupError, match="psql could not restore"):
        restore_backup(RestoreRequest(path=broken, target=target, create=True))

    assert not database_exists(source_database, target.name)


def test_an_existing_target_survives_a_version_refusal(source_database, backup_dir, scratch_databases):
    backup = create_backup(source_database, BackupRequest(directory=backup_dir)).backup
    target = scratch_databases("existing")
    restore_backup(RestoreRequest(path=backup.dump, target=target, create=True))
    claim_newer_server(backup)

    with pytest.raises(BackupError, match=r"comes from PostgreSQL 99\.1"):
        restore_backup(RestoreRequest(path=backup.dump, target=target, replace=True))

    assert database_exists(source_database, target.name)
    with target.connect() as connection:
        assert connection.execute("SELECT count(*) FROM django_migrations").fetchone()[0] > 0
