"""Restoring a backup into a database, and its media into MEDIA_ROOT.

Before anything is changed the file is checked against its manifest (size and sha256), the
server's version against the backup's and the client programs are found; only then is a missing
target created (and dropped again if the restore fails). A target that already holds tables is
refused unless the caller says to replace it.
A plain dump is loaded by ``psql`` in ONE transaction together with the clearing of the
old contents, so a failed restore leaves the target as it was. A custom archive is loaded
by ``pg_restore --jobs N`` (parallel, hence not one transaction).
"""

from __future__ import annotations

import gzip
import os
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from psycopg import sql
from tqdm import tqdm

from blog_project.backups import files
from blog_project.backups.connection import (
    Database,
    create_database,
    database_exists,
    drop_database,
    row_counts,
    server_version,
    user_tables,
)
from blog_project.backups.errors import BackupError, tool_error
from blog_project.backups.manifest import Manifest, check_file
from blog_project.backups.media import media_root, restore_media
from blog_project.backups.tools import Tool, find_tool, wait_polling
from common.signals import database_restored

_CHUNK = 1024 * 1024


@dataclass
class RestoreRequest:
    path: Path
    target: Database
    replace: bool = False
    create: bool = False
    media: bool = False
    jobs: int = max(1, min(4, os.cpu_count() or 1))
    progress: bool = False


@dataclass
class RestoreResult:
    manifest: Manifest | None
    tables: dict[str, int]
    seconds: float
    media_files: int = 0
    mismatches: dict[str, tuple[int | None, int | None]] = field(default_factory=dict)


def detect_format(path: Path) -> str:
    with path.open("rb") as handle:
        head = handle.read(5)
    if head.startswith(b"PGDMP"):
        return "custom"
    return "plain+gzip" if head.startswith(b"\x1f\x8b") else "plain"


def read_manifest(path: Path) -> Manifest | None:
    backup = files.set_for_file(path)
    return Manifest.read(backup.manifest) if backup.stamp and backup.manifest.is_file() else None


def compare_counts(expected: dict[str, int], actual: dict[str, int]) -> dict[str, tuple[int | None, int | None]]:
    """Tables whose row counts differ: ``{table: (expected, actual)}``, None where a table is missing."""
    names = sorted(set(expected) | set(actual))
    return {name: (expected.get(name), actual.get(name)) for name in names if expected.get(name) != actual.get(name)}


def restore_backup(request: RestoreRequest) -> RestoreResult:
    started = time.monotonic()
    path, target = request.path, request.target
    manifest = read_manifest(path)
    if manifest:
        check_file(path, manifest.size, manifest.sha256)
    media_archive = _media_archive(path, manifest) if request.media else None
    # Every refusal that does not need the target itself comes before the target is created.
    exists = database_exists(target, target.name)
    if not exists and not request.create:
        raise BackupError(f"database {target.describe()} does not exist; create it first (createdb).")
    with target.connect(dbname="postgres") as maintenance:
        major, version = server_version(maintenance)
    if manifest and manifest.server_major > major:
        raise BackupError(
            f"the backup comes from PostgreSQL {manifest.server_version}; "
            f"{target.describe()} runs the older {version} and cannot load it; nothing was changed."
        )
    custom = detect_format(path) == "custom"
    tool = find_tool("pg_restore" if custom else "psql", max(major, manifest.pg_dump_major if manifest else 0))
    if not exists:
        create_database(target, target.name)
    try:
        with target.connect() as connection:
            existing = len(user_tables(connection))
            if existing and not request.replace:
                raise BackupError(
                    f"database {target.describe()} already holds {existing} tables; "
                    "pass --yes to replace its contents with the backup."
                )
            reset = _reset_sql(connection) if existing else None
            if custom:
                _restore_custom(path, target, tool, reset, request)
            else:
                _restore_plain(path, target, tool, reset, request.progress)
            connection.execute("ANALYZE")
            # Apps re-read what they derive from the tables (content: its page-cache state); no trigger ran.
            database_restored.send(sender=RestoreRequest, connection=connection)
            tables = row_counts(connection)
    except BaseException:
        if not exists:  # the database this restore created goes too: the target is as it was, absent
            drop_database(target, target.name)
        raise
    result = RestoreResult(manifest=manifest, tables=tables, seconds=0.0)
    if manifest:
        result.mismatches = compare_counts(manifest.tables, tables)
    if media_archive:
        result.media_files = restore_media(media_archive, media_root())
    result.seconds = round(time.monotonic() - started, 3)
    return result


def _media_archive(path: Path, manifest: Manifest | None) -> Path:
    if not manifest or not manifest.media:
        raise BackupError(f"{path.name} was made without --media: there are no media files to restore.")
    archive = path.with_name(manifest.media.file)
    if not archive.is_file():
        raise BackupError(f"the media archive {archive.name} is missing beside {path.name}.")
    check_file(archive, manifest.media.size, manifest.media.sha256)
    media_root()  # refuse before the database is touched when media are not on this disk
    return archive


def _reset_sql(connection) -> str:
    """SQL that empties the database: every non-system schema dropped, ``public`` created again."""
    schemas = connection.execute(
        "SELECT nspname FROM pg_namespace WHERE nspname NOT IN ('pg_catalog', 'information_schema') "
        "AND nspname NOT LIKE 'pg\\_%'"
    ).fetchall()
    statements = [sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(name)) for (name,) in schemas]
    statements.append(sql.SQL("CREATE SCHEMA IF NOT EXISTS public"))
    return sql.SQL("; ").join(statements).as_string(connection) + ";"


def _restore_plain(path: Path, target: Database, psql: Tool, reset: str | None, progress: bool) -> None:
    arguments = [str(psql.path), "-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction"]
    if reset:
        arguments += ["-c", reset]
    arguments += ["-f", "-"]
    with (
        tempfile.TemporaryFile() as errors,
        path.open("rb") as raw,
        tqdm(total=path.stat().st_size, desc="restore", unit="B", unit_scale=True, disable=not progress) as bar,
    ):
        process = subprocess.Popen(
            arguments,
            env=target.client_environment(),
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )
        source = gzip.GzipFile(fileobj=raw) if detect_format(path) == "plain+gzip" else raw
        try:
            with process.stdin:
                while chunk := source.read(_CHUNK):
                    process.stdin.write(chunk)
                    bar.update(raw.tell() - bar.n)
        except BrokenPipeError:
            pass  # psql stopped at an error; its message follows
        except (OSError, EOFError) as error:
            process.kill()
            process.wait()
            raise BackupError(f"{path.name} is damaged: {error}; the target was not changed.") from None
        returncode = process.wait()
        if returncode != 0:
            errors.seek(0)
            message = tool_error(errors.read().decode(errors="replace"), returncode)
            raise BackupError(f"psql could not restore {path.name}: {message}; the target was not changed.")


def _restore_custom(path: Path, target: Database, pg_restore: Tool, reset: str | None, request: RestoreRequest) -> None:
    listing = subprocess.run([str(pg_restore.path), "--list", str(path)], capture_output=True, text=True)
    if listing.returncode != 0:
        raise BackupError(f"{path.name} is unreadable: {tool_error(listing.stderr, listing.returncode)}")
    data_items = sum(1 for line in listing.stdout.splitlines() if " TABLE DATA " in line)
    if reset:
        with target.connect() as connection:
            connection.execute(reset)
    arguments = [
        str(pg_restore.path),
        "--no-owner",
        "--no-privileges",
        "--exit-on-error",
        "--verbose",
        f"--jobs={request.jobs}",
        "--dbname",
        target.name,
        str(path),
    ]
    with (
        tempfile.NamedTemporaryFile() as errors,
        tqdm(total=data_items, desc="restore", unit="table", disable=not request.progress) as bar,
    ):
        process = subprocess.Popen(
            arguments, env=target.client_environment(), stdin=subprocess.DEVNULL, stdout=errors, stderr=errors
        )
        log_file = Path(errors.name)
        returncode = wait_polling(
            process, lambda: bar.update(log_file.read_text(errors="replace").count("processing data for table") - bar.n)
        )
        if returncode != 0:
            log = log_file.read_text(errors="replace")
            raise BackupError(f"pg_restore could not restore {path.name}: {tool_error(log, returncode)}")
