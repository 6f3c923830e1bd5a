"""Off-site copies on moto's S3 server: upload (age-encrypted or not), retention there, restore from it."""

import os
import shutil
import subprocess
from datetime import UTC, datetime, timedelta

import pyrage
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from blog_project.backups import offsite
from blog_project.backups.encryption import generate_key
from blog_project.tests.conftest import OFFSITE_PREFIX as PREFIX
from blog_project.tests.conftest import run_manage, table_digests


def test_upload_copies_the_set_encrypted_with_age(
    source_database, blog_content, offsite_storage, encryption_key, backup_dir, tmp_path
):
    call_command("pg_backup", "--upload", "--media", verbosity=0)

    local = {path.name: path.read_bytes() for path in backup_dir.glob("blog_backup_*")}
    remote = offsite_storage.objects()
    assert sorted(remote) == sorted(f"{PREFIX}/{name}.age" for name in local)  # dump, media archive, manifest
    identity = pyrage.x25519.Identity.from_str(encryption_key[0])
    for name, content in local.items():
        encrypted = remote[f"{PREFIX}/{name}.age"]
        assert encrypted.startswith(b"age-encryption.org/v1")
        assert b"PostgreSQL" not in encrypted and b"public.post" not in encrypted
        assert pyrage.decrypt(encrypted, [identity]) == content
    # The age tool reads them without this project (README: decrypting by hand).
    age = shutil.which("age")
    if not age:
        if os.environ.get("CI"):
            pytest.fail("the age tool is not installed; .ci/run installs Debian's age.")
        return
    (tmp_path / "key.txt").write_text(encryption_key[0] + "\n")
    dump = next(name for name in local if name.endswith(".sql"))
    (tmp_path / "dump.sql.age").write_bytes(remote[f"{PREFIX}/{dump}.age"])
    decrypted = subprocess.run(
        [age, "-d", "-i", str(tmp_path / "key.txt"), str(tmp_path / "dump.sql.age")], capture_output=True, check=True
    )
    assert decrypted.stdout == local[dump]


def test_a_public_key_encrypts_and_only_the_secret_key_restores(
    source_database, blog_content, offsite_storage, encryption_key, settings, tmp_path, scratch_databases
):
    secret, public = encryption_key
    settings.BACKUP_ENCRYPTION_KEY = public  # the server holds only the public key
    call_command("pg_backup", "--upload", verbosity=0)
    settings.BACKUP_DIR = tmp_path / "new-machine"
    target = scratch_databases("from_public")

    with pytest.raises(CommandError, match=r"the public key \(age1…\) cannot decrypt"):
        call_command("pg_restore", "latest", "--from-storage", "backups", "--target", target.url(), verbosity=0)
    settings.BACKUP_ENCRYPTION_KEY = generate_key()[0]
    with pytest.raises(CommandError, match="cannot be decrypted with BACKUP_ENCRYPTION_KEY"):
        call_command("pg_restore", "latest", "--from-storage", "backups", "--target", target.url(), verbosity=0)
    settings.BACKUP_ENCRYPTION_KEY = secret
    call_command("pg_restore", "latest", "--from-storage", "backups", "--target", target.url(), verbosity=0)

    assert table_digests(target) == table_digests(source_database)
    assert not list((tmp_path / "new-machine").glob(".*partial"))


def test_the_server_is_gone_restore_from_the_offsite_copy(
    source_database, blog_content, offsite_storage, settings, tmp_path, scratch_databases, capsys
):
    """Unencrypted copies restore too; the set lands in BACKUP_DIR and is checked against its manifest."""
    call_command("pg_backup", "--upload", "--format", "custom", verbosity=0)
    shutil.rmtree(settings.BACKUP_DIR)
    settings.BACKUP_DIR = tmp_path / "fresh"
    target = scratch_databases("offsite")
    name = next(iter(offsite_storage.objects())).removeprefix(PREFIX + "/").split(".")[0] + ".dump"

    call_command("list_backups", "--storage", "backups")
    listing = capsys.readouterr().out
    call_command("pg_restore", name, "--from-storage", "backups", "--target", target.url())
    output = capsys.readouterr().out

    assert "1 backups in storage 'backups'" in listing and name in listing and "ok" in listing
    assert f"Fetched {name}" in output and "row counts match the manifest" in output
    assert table_digests(target) == table_digests(source_database)
    assert sorted(path.name for path in (tmp_path / "fresh").glob("blog_backup_*")) == [
        name,
        name.replace(".dump", ".manifest.json"),
    ]


def put(bucket, name: str, age: timedelta) -> str:
    stamp = (datetime.now(UTC) - age).strftime("%Y%m%d_%H%M%S")
    key = f"{PREFIX}/blog_backup_{stamp}{name}"
    bucket.client.put_object(Bucket=bucket.name, Key=key, Body=b"x")
    return key


def test_retention_off_site_follows_the_local_rule(offsite_storage, settings):
    storage = offsite.backup_storage()
    old_complete = [put(offsite_storage, suffix, timedelta(days=20)) for suffix in (".sql.age", ".manifest.json.age")]
    older_incomplete = put(offsite_storage, ".dump", timedelta(days=30))
    recent = [put(offsite_storage, suffix, timedelta(days=1, seconds=5)) for suffix in (".sql", ".manifest.json")]
    stranger = f"{PREFIX}/notes.txt"
    offsite_storage.client.put_object(Bucket=offsite_storage.name, Key=stranger, Body=b"mine")

    removed = offsite.prune_remote(storage, days=14)

    assert sorted(removed) == sorted(name.removeprefix(PREFIX + "/") for name in [older_incomplete, *old_complete])
    assert sorted(offsite_storage.objects()) == sorted([*recent, stranger])
    # The newest complete set stays whatever its age.
    assert offsite.prune_remote(storage, days=0) == []
    assert sorted(offsite_storage.objects()) == sorted([*recent, stranger])


def test_upload_without_storage_or_with_a_bad_key_refuses_before_dumping(source_database, settings, backup_dir):
    settings.BACKUP_DIR = backup_dir
    settings.BACKUP_UPLOAD = True
    with pytest.raises(
        CommandError, match="no storage 'backups' is configured for off-site copies: set BACKUP_STORAGE_BUCKET"
    ):
        call_command("pg_backup", verbosity=0)
    settings.STORAGES = {**settings.STORAGES, "backups": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    settings.BACKUP_ENCRYPTION_KEY = "hunter2"
    with pytest.raises(CommandError, match="BACKUP_ENCRYPTION_KEY is not an age key"):
        call_command("pg_backup", verbosity=0)
    assert not list(backup_dir.glob("blog_backup_*"))


def test_cron_runs_it_from_the_environment(source_database, blog_content, s3_bucket, backup_dir):
    secret, _ = generate_key()
    environment = {
        "BACKUP_DIR": str(backup_dir),
        "BACKUP_UPLOAD": "true",
        "BACKUP_STORAGE_BUCKET": s3_bucket.name,
        "BACKUP_STORAGE_PREFIX": "hourly",
        "BACKUP_STORAGE_ENDPOINT_URL": s3_bucket.endpoint,
        "BACKUP_STORAGE_ACCESS_KEY_ID": "test-key",
        "BACKUP_STORAGE_SECRET_ACCESS_KEY": "test-secret",
        "BACKUP_STORAGE_REGION_NAME": "us-east-1",
        "BACKUP_ENCRYPTION_KEY": secret,
    }

    completed = run_manage("pg_backup", env=environment, database=source_database)

    assert completed.returncode == 0, completed.stderr
    assert "Off-site: 2 files (encrypted," in completed.stdout and "in storage 'backups'" in completed.stdout
    assert sorted(key.split(".", 1)[1] for key in s3_bucket.objects()) == ["manifest.json.age", "sql.age"]
    assert all(key.startswith("hourly/") for key in s3_bucket.objects())


def test_an_encrypted_set_fetched_by_hand_restores_from_its_files(
    source_database, blog_content, offsite_storage, encryption_key, settings, tmp_path, scratch_databases
):
    call_command("pg_backup", "--upload", "--media", verbosity=0)
    fetched = tmp_path / "fetched"
    fetched.mkdir()
    for key, content in offsite_storage.objects().items():  # as a person would, with the bucket's own tools
        (fetched / key.removeprefix(PREFIX + "/")).write_bytes(content)
    dump = next(fetched.glob("*.sql.age"))
    target = scratch_databases("by_hand")

    call_command("pg_restore", str(dump), "--target", target.url(), verbosity=0)

    assert table_digests(target) == table_digests(source_database)
    assert sorted(path.name for path in fetched.glob("blog_backup_*") if not path.name.endswith(".age")) == sorted(
        path.name for path in settings.BACKUP_DIR.glob("blog_backup_*") if not path.name.endswith(".media.tar.gz")
    )
