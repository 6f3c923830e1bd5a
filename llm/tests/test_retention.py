"""prune_llm_logs: archive first, delete in batches, lose nothing when interrupted."""

import gzip
import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import QuerySet
from django.utils import timezone

from llm import retention
from llm.models import LLMLog

pytestmark = pytest.mark.django_db


def make_logs(count: int, age_days: int) -> list[int]:
    LLMLog.objects.bulk_create(
        [LLMLog(operation="post_summary", model="m", status="success", message=f"row {n}") for n in range(count)]
    )
    ids = list(
        LLMLog.objects.filter(created_at__gte=timezone.now() - timedelta(minutes=1)).values_list("id", flat=True)
    )
    LLMLog.objects.filter(pk__in=ids).update(created_at=timezone.now() - timedelta(days=age_days))
    return ids


def archived_ids(directory) -> list[int]:
    ids = []
    for path in sorted(directory.glob("*.jsonl.gz")):
        with gzip.open(path, "rt") as archive:
            ids.extend(json.loads(line)["id"] for line in archive)
    return ids


def test_archives_then_deletes_old_rows_in_batches(tmp_path):
    old = make_logs(7, age_days=100)
    recent = make_logs(3, age_days=10)

    call_command("prune_llm_logs", "--older-than", "90d", "--archive", str(tmp_path), "--batch-size", "3", verbosity=0)

    assert sorted(LLMLog.objects.values_list("id", flat=True)) == sorted(recent)
    assert sorted(archived_ids(tmp_path)) == sorted(old)
    assert len(list(tmp_path.glob("*.jsonl.gz"))) == 3  # batches of 3, 3, 1
    with gzip.open(sorted(tmp_path.glob("*.jsonl.gz"))[0], "rt") as archive:
        first = json.loads(archive.readline())
    assert first["message"].startswith("row ") and first["operation"] == "post_summary"


def test_dry_run_changes_nothing(tmp_path, capsys):
    make_logs(4, age_days=100)
    call_command("prune_llm_logs", "--archive", str(tmp_path), "--dry-run")
    assert "4 log rows" in capsys.readouterr().out
    assert LLMLog.objects.count() == 4 and not list(tmp_path.iterdir())


def test_interrupted_run_loses_nothing_and_can_run_again(tmp_path, monkeypatch):
    old = make_logs(6, age_days=100)
    real_delete = QuerySet.delete
    calls = {"n": 0}

    def delete_then_crash(queryset):
        calls["n"] += 1
        if calls["n"] == 2:  # the second batch is archived, then the process dies before deleting
            raise KeyboardInterrupt
        return real_delete(queryset)

    monkeypatch.setattr(QuerySet, "delete", delete_then_crash)
    with pytest.raises(KeyboardInterrupt):
        retention.prune(timezone.now() - timedelta(days=90), archive_dir=tmp_path, batch_size=2)
    monkeypatch.undo()
    assert LLMLog.objects.count() == 4  # first batch gone, and it is in the archive
    assert set(old) == set(archived_ids(tmp_path)) | set(LLMLog.objects.values_list("id", flat=True))

    call_command("prune_llm_logs", "--archive", str(tmp_path), "--batch-size", "2", verbosity=0)

    assert not LLMLog.objects.exists()
    assert sorted(archived_ids(tmp_path)) == sorted(old)  # the retried batch replaced its own file
    assert not list(tmp_path.glob("*.part"))


def test_no_archive_deletes_only(tmp_path):
    make_logs(2, age_days=100)
    call_command("prune_llm_logs", "--no-archive", "--archive", str(tmp_path), verbosity=0)
    assert not LLMLog.objects.exists()
    assert not list(tmp_path.glob("*.gz"))


@pytest.mark.parametrize("age", ["ninety", "0d", "-3d", "3y"])
def test_bad_age_is_refused(age):
    make_logs(1, age_days=100)
    with pytest.raises(CommandError, match="is not an age"):
        call_command("prune_llm_logs", f"--older-than={age}")
    assert LLMLog.objects.count() == 1


def test_default_age_comes_from_settings(tmp_path, settings):
    make_logs(1, age_days=20)
    settings.LLM_LOG_RETENTION_DAYS = 90
    call_command("prune_llm_logs", "--archive", str(tmp_path), verbosity=0)
    assert LLMLog.objects.count() == 1
    call_command("prune_llm_logs", "--older-than", "2w", "--archive", str(tmp_path), verbosity=0)
    assert LLMLog.objects.count() == 0
