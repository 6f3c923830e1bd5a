"""The restore drill: the newest backup restored into a scratch database, checked, timed and recorded.

It proves what a 3 a.m. restore needs: the backup is there (on this server, or in the off-site
storage, downloaded and decrypted), it restores, every table has the manifest's row count, and the
readers' queries answer on it (the live posts, the newest post's page through ``post_sections_json``).
The whole time taken is the measured recovery time (RTO).
"""

from __future__ import annotations

import shutil
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from blog_project.backups import files, offsite
from blog_project.backups.connection import Database
from blog_project.backups.errors import BackupError, one_line
from blog_project.backups.restore import RestoreRequest, read_manifest
from blog_project.backups.verify import verify_backup


@dataclass
class Drill:
    """What ``operations.services.record_drill`` keeps."""

    source: str
    succeeded: bool = False
    backup_file: str = ""
    backup_created_at: datetime | None = None
    backup_bytes: int | None = None
    fetch_seconds: float | None = None
    restore_seconds: float | None = None
    total_seconds: float = 0.0
    tables: int | None = None
    rows: int | None = None
    details: dict = field(default_factory=dict)
    error: str = ""


def run_drill(server: Database, storage_alias: str | None = None, progress: bool = False) -> Drill:
    """Restore the newest backup on ``server`` (into a scratch database, dropped afterwards); never raises."""
    started = time.monotonic()
    drill = Drill(source=f"storage {storage_alias!r}" if storage_alias else "this server (BACKUP_DIR)")
    scratch_folder = None
    try:
        if storage_alias:
            scratch_folder = _scratch_folder()
            path = offsite.download_backup(storage_alias, "latest", scratch_folder)
            drill.fetch_seconds = round(time.monotonic() - started, 3)
        else:
            path = files.resolve_backup_file("latest")
        _describe_backup(drill, path)
        smoke: dict = {}
        result = verify_backup(
            RestoreRequest(path=path, target=server, progress=progress), inspect=lambda db: smoke.update(smoke_test(db))
        )
        drill.restore_seconds = result.seconds
        drill.tables, drill.rows = len(result.tables), sum(result.tables.values())
        drill.details = {"smoke": smoke, "mismatches": {name: list(pair) for name, pair in result.mismatches.items()}}
        problems = []
        if result.mismatches:
            problems.append(f"{len(result.mismatches)} tables differ from the manifest")
        if smoke.get("problem"):
            problems.append(smoke["problem"])
        drill.error = "; ".join(problems)
        drill.succeeded = not problems
    except BackupError as error:
        drill.error = str(error)
    except Exception as error:  # recorded and reported, never a traceback in cron's mail
        drill.error = f"{type(error).__name__}: {one_line(error)}"
    finally:
        if scratch_folder is not None:
            shutil.rmtree(scratch_folder, ignore_errors=True)
    drill.total_seconds = round(time.monotonic() - started, 3)
    return drill


def _scratch_folder() -> Path:
    """A private folder for the downloaded set, beside the backups (where there is room for them)."""
    directory = files.backup_dir()
    files.prepare_directory(directory)
    return Path(tempfile.mkdtemp(prefix=".restore_drill_", dir=directory))


def _describe_backup(drill: Drill, path: Path) -> None:
    drill.backup_file = path.name
    drill.backup_bytes = path.stat().st_size
    manifest = read_manifest(path)
    if manifest is not None:
        drill.backup_created_at = datetime.fromisoformat(manifest.created_at)
        if manifest.media:
            drill.backup_bytes += manifest.media.size


def smoke_test(database: Database) -> dict:
    """Readers' queries on the restored database: the live posts and the newest one's page data."""
    from content.models import Post

    live = Post.objects.live().order_by()
    count_sql, count_params = live.values("id").query.sql_with_params()  # live()'s own rule, compiled by Django
    newest_sql, newest_params = live.order_by("-published_at", "-id").values("id", "slug")[:1].query.sql_with_params()
    with database.connect() as connection:
        started = time.monotonic()
        found = {
            "live_posts": connection.execute(f"SELECT count(*) FROM ({count_sql}) live", count_params).fetchone()[0]
        }
        newest = connection.execute(newest_sql, newest_params).fetchone()
        if newest is None:
            found["page_ms"] = round((time.monotonic() - started) * 1000, 1)
            return found
        post_id, slug = newest
        sections, tags = connection.execute(
            "SELECT post_sections_json(%s), post_tags_json(%s)", [post_id, post_id]
        ).fetchone()
        stored = connection.execute("SELECT count(*) FROM post_section WHERE post_id = %s", [post_id]).fetchone()[0]
        found["page_ms"] = round((time.monotonic() - started) * 1000, 1)
    found.update(newest_post=slug, newest_post_sections=len(sections or []), newest_post_tags=len(tags or []))
    if len(sections or []) != stored:
        found["problem"] = f"the page of {slug} shows {len(sections or [])} of its {stored} sections"
    return found
