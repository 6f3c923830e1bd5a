"""Retention of ``llm_log``: archive old rows to compressed JSON Lines, then delete them in batches.

Each batch is written to its own file (``.part`` first, fsynced, then renamed) before its rows
are deleted in one transaction, so an interruption at any point loses nothing: rows still in
the table are archived again on the next run, into a file of the same name (the batch starts
at the lowest remaining id). Every line carries the row's id.
"""

import gzip
import json
import os
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from llm import metrics_daily
from llm.models import LLMLog


def old_logs(cutoff: datetime):
    return LLMLog.objects.filter(created_at__lt=cutoff)


def _archive(rows: list[dict], directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"llm_log-{rows[0]['id']:012d}-{rows[-1]['id']:012d}.jsonl.gz"
    partial = path.with_suffix(".part")
    with open(partial, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb") as archive:
        for row in rows:
            archive.write(json.dumps(row, cls=DjangoJSONEncoder, ensure_ascii=False).encode() + b"\n")
        archive.close()
        raw.flush()
        os.fsync(raw.fileno())
    partial.replace(path)
    directory_fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(directory_fd)
    finally:
        os.close(directory_fd)
    return path


def prune(
    cutoff: datetime,
    *,
    archive_dir: Path | None,
    batch_size: int,
    progress: Callable[[int], None] = lambda count: None,
) -> tuple[int, list[Path]]:
    """Archive (unless ``archive_dir`` is None) and delete rows older than ``cutoff``; returns (deleted, files).

    The days about to lose rows are rolled up first, so the metrics page still counts their calls."""
    oldest = old_logs(cutoff).order_by("created_at").values_list("created_at", flat=True).first()
    if oldest is not None:
        metrics_daily.roll_up(timezone.localdate(oldest), timezone.localdate(cutoff))
    deleted, files = 0, []
    while True:
        rows = list(old_logs(cutoff).order_by("id").values()[:batch_size])
        if not rows:
            return deleted, files
        if archive_dir is not None:
            files.append(_archive(rows, archive_dir))
        with transaction.atomic():
            count, _ = LLMLog.objects.filter(pk__in=[row["id"] for row in rows]).delete()
        deleted += count
        progress(count)


def cutoff_for(age: timedelta) -> datetime:
    return timezone.now() - age
