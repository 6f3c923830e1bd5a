"""Verification: restore a backup into a scratch database and compare its row counts with the manifest."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable

from blog_project.backups.connection import Database, create_database, drop_database
from blog_project.backups.errors import BackupError
from blog_project.backups.restore import RestoreRequest, RestoreResult, read_manifest, restore_backup


def verify_backup(request: RestoreRequest, inspect: Callable[[Database], None] | None = None) -> RestoreResult:
    """Restore ``request.path`` into a new database on the server of ``request.target``, then drop it.

    The result's ``mismatches`` are empty when every table has the manifest's row count. ``inspect`` is
    called with the restored database before it is dropped (the restore drill's smoke queries).
    """
    if read_manifest(request.path) is None:
        raise BackupError(f"{request.path.name} has no manifest beside it; there is nothing to compare with.")
    server: Database = request.target
    scratch = f"blog_verify_{os.getpid()}_{secrets.token_hex(3)}"
    create_database(server, scratch)
    try:
        request.target = server.with_name(scratch)
        request.media = False
        result = restore_backup(request)
        if inspect is not None:
            inspect(request.target)
        return result
    finally:
        drop_database(server, scratch)
