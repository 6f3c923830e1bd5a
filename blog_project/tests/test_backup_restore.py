"""pg_backup then pg_restore on a real PostgreSQL: every table comes back identical."""

import gzip
import json
import shutil
import subprocess
import time

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from blog_project.backups.connection import row_counts
from blog_project.backups.dump import BackupRequest, create_backup
from blog_project.backups.errors import BackupError
from blog_project.backups.restore import RestoreRequest, restore_backup
from blog_project.backups.tools import find_tool
from blog_project.tests.conftest import table_digests
from content.site.content_state import ContentState, ContentStateWatcher, content_state, listener_params


@pytest.mark.parametrize(
    ("format_name", "compress", "suffix"),
    [("plain", False, ".sql"), ("plain", True, ".sql.gz"), ("custom", False, ".dump")],
)
def test_backup_then_restore_gives_identical_tables(
    source_database, blog_content, backup_dir, scratch_databases, format_name, compress, suffix
):
    result = create_backup(source_database, BackupRequest(format=format_name, compress=compress, directory=backup_dir))

    assert result.backup.dump.name.endswith(suffix)
    assert result.backup.dump.name.startswith("blog_backup_")
    manifest = json.loads(result.backup.manifest.read_text())
    assert manifest["size"] == result.backup.dump.stat().st_size
    assert manifest["tables"]["public.post_section"] == 12
    assert manifest["server_major"] >= 15
    assert oct(result.backup.dump.stat().st_mode & 0o777) == "0o600"

    target = scratch_databases("restored")
    restored = restore_backup(RestoreRequest(path=result.backup.dump, target=target, create=True))

    assert restored.mismatches == {}
    assert table_digests(target) == table_digests(source_database)
    assert sum(count for count, _ in table_digests(target).values()) == manifest_total(manifest) > 12
    with target.connect() as connection:  # the restored triggers keep the search documents in step
        connection.execute("UPDATE post_section SET content = 'A restored walrus.' WHERE position = 1")
        query = "SELECT count(*) FROM post_search WHERE document @@ to_tsquery('english', 'walrus')"
        assert connection.execute(query).fetchone()[0] == 3


def manifest_total(manifest: dict) -> int:
    return sum(manifest["tables"].values())


def test_plain_backup_restores_with_psql_as_the_seed_shows(
    source_database, blog_content, backup_dir, scratch_databases
):
    """`psql -U postgres -d blog < ~/.blog_pg_backups/blog_backup_YYYYMMDD_HHMMSS.sql`, into an empty database."""
    result = create_backup(source_database, BackupRequest(directory=backup_dir))
    target = scratch_databases("psql")
    with source_database.connect() as connection:
        connection.execute(f'CREATE DATABASE "{target.name}"')
    psql = find_tool("psql", result.manifest.server_major).path
    environment = {k: v for k, v in source_database.client_environment().items() if k != "PGDATABASE"}

    completed = subprocess.run(
        f"{psql} -U {source_database.user} -d {target.name} < {result.backup.dump}",
        shell=True,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )

    assert completed.returncode == 0, completed.stderr
    assert "ERROR" not in completed.stderr
    assert table_digests(target) == table_digests(source_database)


def test_restore_refuses_a_target_with_data_unless_told_and_then_replaces_it(
    source_database, blog_content, backup_dir, scratch_databases
):
    from content.models import Post

    backup = create_backup(source_database, BackupRequest(directory=backup_dir)).backup
    target = scratch_databases("replace")
    restore_backup(RestoreRequest(path=backup.dump, target=target, create=True))
    with target.connect() as connection:
        connection.execute("DELETE FROM post_section")
        connection.execute("CREATE TABLE stray (id int)")
    before = table_digests(target)

    with pytest.raises(BackupError, match=r"already holds .* tables; pass --yes"):
        restore_backup(RestoreRequest(path=backup.dump, target=target))
    assert table_digests(target) == before

    restore_backup(RestoreRequest(path=backup.dump, target=target, replace=True))
    assert table_digests(target) == table_digests(source_database)
    assert Post.objects.count() == 3


def test_restore_command_into_the_configured_database_needs_yes(source_database, blog_content, backup_dir, settings):
    settings.BACKUP_DIR = backup_dir
    call_command("pg_backup", verbosity=0)
    expected = table_digests(source_database)
    from content.models import Post

    Post.objects.all().delete()  # the mistake the backup undoes (sections and tag links cascade)
    name = next(backup_dir.glob("blog_backup_*.sql")).name

    with pytest.raises(CommandError, match="pass --yes"):
        call_command("pg_restore", name, verbosity=0)
    assert Post.objects.count() == 0

    watcher = ContentStateWatcher(listener_params(), heartbeat=60).start()  # a web process's
    try:
        wait_for_state(watcher, content_state())
        call_command("pg_restore", name, "--yes", verbosity=0)
        assert table_digests(source_database) == expected
        wait_for_state(watcher, content_state())  # told by the restore, not by its 60 s heartbeat
    finally:
        watcher.stop()


def wait_for_state(watcher: ContentStateWatcher, state: ContentState) -> None:
    deadline = time.monotonic() + 5
    while watcher.state() != state:
        assert time.monotonic() < deadline, f"the watcher holds {watcher.state()}, not {state}"
        time.sleep(0.01)


def test_a_damaged_backup_is_refused_before_the_target_is_touched(
    source_database, blog_content, backup_dir, scratch_databases
):
    backup = create_backup(source_database, BackupRequest(directory=backup_dir)).backup
    target = scratch_databases("damaged")
    restore_backup(RestoreRequest(path=backup.dump, target=target, create=True))
    before = table_digests(target)
    content = bytearray(backup.dump.read_bytes())
    content[len(content) // 2] ^= 0x01
    backup.dump.write_bytes(bytes(content))

    with pytest.raises(BackupError, match="does not match the sha256"):
        restore_backup(RestoreRequest(path=backup.dump, target=target, replace=True))
    assert table_digests(target) == before


def test_a_plain_restore_that_fails_halfway_leaves_the_target_as_it_was(
    source_database, blog_content, backup_dir, scratch_databases, tmp_path
):
    """Without a manifest nothing can be checked beforehand; the single transaction still protects the target."""
    backup = create_backup(source_database, BackupRequest(directory=backup_dir)).backup
    target = scratch_databases("halfway")
    restore_backup(RestoreRequest(path=backup.dump, target=target, create=True))
    before = table_digests(target)
    truncated = tmp_path / "copied-by-hand.sql"
    text = backup.dump.read_text()
    truncated.write_text(
        text[: text.index("COPY public.post_section")] + "COPY public.post_section (nonsense) FROM stdin;\n"
    )

    with pytest.raises(BackupError, match=r"psql could not restore .*the target was not changed"):
        restore_backup(RestoreRequest(path=truncated, target=target, replace=True))
    assert table_digests(target) == before


def test_media_are_archived_and_put_back(source_database, blog_content, backup_dir, settings):
    media_root = blog_content
    files_before = {p.relative_to(media_root): p.read_bytes() for p in media_root.rglob("*") if p.is_file()}
    assert len(files_before) == 3
    settings.BACKUP_DIR = backup_dir
    call_command("pg_backup", "--media", verbosity=0)
    shutil.rmtree(media_root)

    call_command("pg_restore", next(backup_dir.glob("*.sql")).name, "--yes", "--media", verbosity=0)

    assert {p.relative_to(media_root): p.read_bytes() for p in media_root.rglob("*") if p.is_file()} == files_before


def test_media_restore_without_an_archive_is_refused(source_database, backup_dir, settings):
    settings.BACKUP_DIR = backup_dir
    call_command("pg_backup", verbosity=0)
    with pytest.raises(CommandError, match="made without --media"):
        call_command("pg_restore", next(backup_dir.glob("*.sql")).name, "--yes", "--media", verbosity=0)


def test_verify_backup_passes_a_good_backup_and_fails_a_wrong_manifest(
    source_database, blog_content, backup_dir, capsys, settings
):
    settings.BACKUP_DIR = backup_dir
    backup = create_backup(source_database, BackupRequest(directory=backup_dir, format="custom")).backup
    call_command("verify_backup", "latest")
    assert "row counts match the manifest" in capsys.readouterr().out

    manifest = json.loads(backup.manifest.read_text())
    manifest["tables"]["public.post_section"] = 13
    backup.manifest.write_text(json.dumps(manifest))
    with pytest.raises(CommandError, match="failed verification: 1 tables differ"):
        call_command("verify_backup", str(backup.dump))
    assert "public.post_section: manifest 13, restored 12" in capsys.readouterr().err
    with source_database.connect() as connection:
        leftovers = connection.execute("SELECT count(*) FROM pg_database WHERE datname LIKE 'blog_verify_%'")
        assert leftovers.fetchone()[0] == 0


def test_manifest_counts_match_the_dump(source_database, blog_content, backup_dir):
    result = create_backup(source_database, BackupRequest(directory=backup_dir, compress=True))
    with source_database.connect() as connection:
        assert result.manifest.tables == row_counts(connection)
    with gzip.open(result.backup.dump, "rt") as handle:
        assert "-- PostgreSQL database dump complete" in handle.read()


def test_list_backups_shows_complete_and_incomplete_sets(source_database, backup_dir, settings, capsys):
    settings.BACKUP_DIR = backup_dir
    call_command("pg_backup", verbosity=0)
    (backup_dir / "blog_backup_20200101_000000.sql").write_text("-- copied without its manifest\n")
    capsys.readouterr()

    call_command("list_backups", "--check")

    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"2 backups in {backup_dir}:"
    assert "ok, sha256 checked" in lines[1]
    assert "blog_backup_20200101_000000.sql" in lines[2] and "incomplete: no manifest" in lines[2]


def test_media_archive_is_refused_when_media_are_not_on_this_disk(source_database, backup_dir, settings):
    settings.BACKUP_DIR = backup_dir
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}
    with pytest.raises(CommandError, match="media are stored in InMemoryStorage, not on this server's disk"):
        call_command("pg_backup", "--media", verbosity=0)
    assert not backup_dir.exists() or not list(backup_dir.glob("blog_backup_*"))


def test_list_backups_as_json(source_database, backup_dir, settings, capsys):
    settings.BACKUP_DIR = backup_dir
    call_command("pg_backup", "--format", "custom", verbosity=0)
    capsys.readouterr()
    call_command("list_backups", "--json")
    [entry] = json.loads(capsys.readouterr().out)
    assert entry["file"].endswith(".dump") and entry["status"] == "ok" and entry["rows"] > 0
