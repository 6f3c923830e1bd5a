"""copy_media_to_storage against moto's S3 server: names kept, resume by size and ETag, idempotent."""

import os
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from media_library.storage_copy import local_files

BIG = 9 * 1024 * 1024  # above boto3's 8 MB threshold: uploaded in parts, with a multipart ETag


@pytest.fixture
def media(settings):
    root = settings.MEDIA_ROOT
    files = {
        "images/2026/11/0123456789abcdef0123456789abcdef.jpg": os.urandom(3000),
        "images/2026/11/0123456789abcdef0123456789abcdef-0123456789ab-480w.webp": os.urandom(1000),
        "demo/harbour at dawn.png": os.urandom(500),
        "big/scan.tif": os.urandom(BIG),
    }
    for name, content in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(content)
    (root / ".DS_Store").write_bytes(b"not media")
    return files


@pytest.fixture
def bucket_storage(settings, s3_bucket):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": s3_bucket.storage_options(location="m")},
    }
    return s3_bucket


def run(*args, capsys) -> str:
    call_command("copy_media_to_storage", *args, verbosity=1)
    return capsys.readouterr().out


def test_every_file_is_copied_under_its_name_then_nothing_the_second_time(media, bucket_storage, capsys):
    first = run(capsys=capsys)

    assert bucket_storage.objects() == {f"m/{name}": content for name, content in media.items()}
    assert "Copied 4 files" in first and "0 already there" in first
    second = run(capsys=capsys)  # sizes and ETags (the big file's made of parts) all match
    assert "Copied 0 files (0 B)" in second and "4 already there were skipped" in second


def test_an_interrupted_copy_resumes_and_a_changed_file_is_replaced(media, bucket_storage, settings, capsys):
    name = "images/2026/11/0123456789abcdef0123456789abcdef.jpg"
    bucket_storage.client.put_object(Bucket=bucket_storage.name, Key=f"m/{name}", Body=media[name])  # done before
    other = "demo/harbour at dawn.png"
    bucket_storage.client.put_object(Bucket=bucket_storage.name, Key=f"m/{other}", Body=b"x" * 500)  # same size

    output = run(capsys=capsys)

    assert "Copied 3 files" in output and "1 already there were skipped" in output
    assert bucket_storage.objects()[f"m/{other}"] == media[other]  # same size, other ETag: replaced
    assert len(bucket_storage.objects()) == 4


def test_dry_run_copies_nothing(media, bucket_storage, capsys):
    output = run("--dry-run", capsys=capsys)

    assert "Would copy 4 files" in output
    assert bucket_storage.objects() == {}


def test_another_folder_and_another_storage(media, settings, s3_bucket, tmp_path, capsys):
    settings.STORAGES = {
        **settings.STORAGES,
        "archive": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": s3_bucket.storage_options()},
    }
    folder = tmp_path / "old-media"
    (folder / "a").mkdir(parents=True)
    (folder / "a/one.png").write_bytes(b"one")

    output = run("--from", str(folder), "--to", "archive", capsys=capsys)

    assert "Copied 1 files" in output
    assert s3_bucket.objects() == {"a/one.png": b"one"}


def test_copying_media_root_onto_itself_or_to_an_unknown_storage_is_refused(media):
    with pytest.raises(CommandError, match="configure the bucket first"):
        call_command("copy_media_to_storage", verbosity=0)
    with pytest.raises(CommandError, match="there is no storage 'nope'"):
        call_command("copy_media_to_storage", "--to", "nope", verbosity=0)


def test_hidden_files_and_links_are_left_out(media, settings, tmp_path):
    (tmp_path / "elsewhere.txt").write_text("outside")
    (settings.MEDIA_ROOT / "demo/link.txt").symlink_to(tmp_path / "elsewhere.txt")

    names = [name for name, _ in local_files(settings.MEDIA_ROOT)]

    assert sorted(names) == sorted(media)


def test_the_command_in_its_own_process_with_the_bucket_from_the_environment(media, s3_bucket, settings):
    environment = {
        **{key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"},
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "AWS_STORAGE_BUCKET_NAME": s3_bucket.name,
        "AWS_S3_ENDPOINT_URL": s3_bucket.endpoint,
        "AWS_ACCESS_KEY_ID": "test-key",
        "AWS_SECRET_ACCESS_KEY": "test-secret",
        "AWS_S3_REGION_NAME": "us-east-1",
    }
    command = [sys.executable, "manage.py", "copy_media_to_storage"]
    runs = [
        subprocess.run(command, cwd=settings.BASE_DIR, env=environment, capture_output=True, text=True, timeout=120)
        for _ in range(2)
    ]

    assert [run.returncode for run in runs] == [0, 0], runs[0].stderr + runs[1].stderr
    assert "Copied 4 files" in runs[0].stdout
    assert "Copied 0 files" in runs[1].stdout and "4 already there were skipped" in runs[1].stdout
    assert set(s3_bucket.objects()) == set(media)
