"""Retention: backups older than BACKUP_RETENTION_DAYS go, the newest good one always stays.

Only files whose names follow our pattern are looked at; age is the file's mtime.
"""

from __future__ import annotations

import time
from pathlib import Path

from blog_project.backups import files


def newest_good(directory: Path) -> files.BackupSet | None:
    complete = [backup for backup in files.backup_sets(directory) if backup.complete]
    return complete[-1] if complete else None


def prune(directory: Path, days: int, keep: str | None = None) -> list[Path]:
    """Delete our files older than ``days``, except those of backup ``keep`` and of the newest good backup."""
    cutoff = time.time() - days * 86400
    protected = {keep} if keep else set()
    if newest := newest_good(directory):
        protected.add(newest.stamp)
    removed = []
    for backup in files.backup_sets(directory):
        if backup.stamp in protected:
            continue
        for path in backup.files():
            if path.stat().st_mtime < cutoff:
                path.unlink()
                removed.append(path)
    return removed
