"""Making a backup: pg_dump into a hidden partial file, checked, then renamed into place.

The dump and the manifest's row counts come from one exported snapshot, so the counts
describe exactly what the dump holds even while editors keep writing.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import os
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from psycopg import IsolationLevel
from tqdm import tqdm

from blog_project.backups import encryption, files, offsite, retention
from blog_project.backups.connection import Database, row_counts, server_version
from blog_project.backups.errors import BackupError, one_line, tool_error
from blog_project.backups.manifest import Manifest, MediaArchive, sha256_of
from blog_project.backups.media import archive_media, media_root
from blog_project.backups.tools import Tool, find_tool, wait_polling

COMPLETE_MARKER = b"-- PostgreSQL database dump complete"
FORMATS = ("plain", "custom")
_CHUNK = 4 * 1024 * 1024


@dataclass
class BackupRequest:
    format: str = "plain"
    compress: bool = False
    media: bool = False
    directory: Path | None = None
    retention_days: int | None = None
    progress: bool = False
    upload: bool = False  # copy the set to the off-site storage (offsite.py) once it is written


@dataclass
class BackupResult:
    backup: files.BackupSet
    manifest: Manifest
    removed: list[Path] = field(default_factory=list)
    upload: offsite.Upload | None = None


def create_backup(database: Database, request: BackupRequest) -> BackupResult:
    """Dump ``database`` into the backup folder, then apply retention; raise BackupError on any failure."""
    if request.format not in FORMATS:
        raise BackupError(f"unknown format {request.format!r}; use one of {', '.join(FORMATS)}.")
    directory = files.backup_dir(request.directory)
    files.prepare_directory(directory)
    media_folder = media_root() if request.media else None  # refuse before dumping anything
    if request.upload:
        offsite.backup_storage()
        encryption.configured_key()
    with files.exclusive_lock(directory):
        result = _backup_locked(database, request, directory, media_folder)
        days = request.retention_days if request.retention_days is not None else settings.BACKUP_RETENTION_DAYS
        try:
            result.removed = retention.prune(directory, days, keep=result.backup.stamp)
        except OSError as error:
            raise BackupError(
                f"backup {result.backup.dump.name} was written, but retention failed: {one_line(error)}"
            ) from None
        if request.upload:
            try:
                result.upload = offsite.upload_backup(result.backup, retention_days=days)
            except Exception as error:  # the storage's own errors too: one line for cron's mail
                reason = str(error) if isinstance(error, BackupError) else f"{type(error).__name__}: {one_line(error)}"
                raise BackupError(
                    f"backup {result.backup.dump.name} was written, but its off-site copy failed: {reason}"
                ) from None
    return result


def _backup_locked(
    database: Database, request: BackupRequest, directory: Path, media_folder: Path | None
) -> BackupResult:
    started = time.monotonic()
    format_key = "plain+gzip" if request.format == "plain" and request.compress else request.format
    stamp = files.new_stamp(directory)
    backup = files.BackupSet(directory, stamp, directory / files.dump_name(stamp, format_key))
    partials = {path: files.partial_path(path) for path in (backup.dump, backup.media, backup.manifest)}
    renamed: list[Path] = []
    try:
        with database.connect(autocommit=False) as connection:
            connection.isolation_level = IsolationLevel.REPEATABLE_READ
            connection.read_only = True
            major, version = server_version(connection)
            pg_dump = find_tool("pg_dump", major)
            snapshot = connection.execute("SELECT pg_export_snapshot()").fetchone()[0]
            process, errors = _start_pg_dump(pg_dump, database, request, snapshot, partials[backup.dump])
            tables = row_counts(connection)  # same snapshot, while pg_dump runs
            streamed_sha256 = _wait_with_progress(process, errors, partials[backup.dump], request)
        _check_dump(partials[backup.dump], request, pg_dump)
        media = None
        if media_folder is not None:
            count = archive_media(media_folder, partials[backup.media])
            media_file = partials[backup.media]
            media = MediaArchive(backup.media.name, media_file.stat().st_size, sha256_of(media_file), count)
        dump_file = partials[backup.dump]
        manifest = Manifest(
            file=backup.dump.name,
            format=request.format,
            compressed=request.format == "custom" or request.compress,
            size=dump_file.stat().st_size,
            sha256=streamed_sha256 or sha256_of(dump_file),
            created_at=datetime.now(UTC).isoformat(timespec="seconds"),
            database=database.name,
            server_version=version,
            server_major=major,
            pg_dump_version=pg_dump.version,
            pg_dump_major=pg_dump.major,
            duration_seconds=round(time.monotonic() - started, 3),
            tables=tables,
            media=media,
        )
        manifest.write(partials[backup.manifest])
        _fsync(partials[backup.manifest])
        for partial in partials.values():
            if partial.exists():
                partial.chmod(0o600)  # password hashes and sessions are in there
        for final in (backup.dump, backup.media, backup.manifest):  # the manifest last
            if partials[final].exists():
                os.replace(partials[final], final)
                renamed.append(final)
        _fsync(directory)
    except BaseException as error:
        for path in [*partials.values(), *renamed]:
            path.unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise BackupError(f"backup failed: {one_line(error)}") from None
        raise
    return BackupResult(backup=backup, manifest=manifest)


def dump_arguments(pg_dump: Tool, request: BackupRequest, output: Path) -> list[str]:
    """The pg_dump command line: no connection details (they are in the environment), no password."""
    arguments = [str(pg_dump.path), "--no-owner", "--no-privileges", "--file", str(output)]
    if request.format == "custom":
        arguments.append("--format=custom")
    else:
        arguments.append("--format=plain")
        if request.compress:
            arguments.append("-Z6")  # the whole plain script through gzip, as `pg_dump | gzip` would
    return arguments


def _start_pg_dump(
    pg_dump: Tool, database: Database, request: BackupRequest, snapshot: str, output: Path
) -> tuple[subprocess.Popen, tempfile.TemporaryFile]:
    errors = tempfile.TemporaryFile()  # noqa: SIM115 - closed by _wait_with_progress
    arguments = [*dump_arguments(pg_dump, request, output), f"--snapshot={snapshot}"]
    process = subprocess.Popen(
        arguments, env=database.client_environment(), stdin=subprocess.DEVNULL, stdout=errors, stderr=errors
    )
    return process, errors


def _wait_with_progress(process: subprocess.Popen, errors, output: Path, request: BackupRequest) -> str | None:
    """Wait for pg_dump, showing the bytes written; return the sha256 of a plain dump, hashed as it grows.

    Hashing while pg_dump writes (from the page cache, on the other core) hides its cost. A custom
    archive is rewritten in place at its end (the table of contents gets its offsets), so it is
    hashed afterwards instead.
    """
    digest = hashlib.sha256() if request.format == "plain" else None
    with (
        errors,
        tqdm(desc="pg_dump", unit="B", unit_scale=True, disable=not request.progress, leave=False) as bar,
        contextlib.ExitStack() as stack,
    ):
        reader = None

        def read_new_bytes() -> None:
            nonlocal reader
            if reader is None and output.exists():
                reader = stack.enter_context(output.open("rb"))
            while reader is not None and (chunk := reader.read(_CHUNK)):
                if digest is not None:
                    digest.update(chunk)
                bar.update(len(chunk))

        returncode = wait_polling(process, read_new_bytes)
        if returncode != 0:
            errors.seek(0)
            message = errors.read().decode(errors="replace")
            raise BackupError(f"pg_dump failed: {tool_error(message, returncode)}")
    return digest.hexdigest() if digest is not None else None


def _check_dump(path: Path, request: BackupRequest, pg_dump: Tool) -> None:
    """Refuse a dump that is not complete: the plain script's closing line, the custom archive's table of contents."""
    if request.format == "custom":
        pg_restore = find_tool("pg_restore", pg_dump.major)
        result = subprocess.run([str(pg_restore.path), "--list", str(path)], capture_output=True, text=True)
        if result.returncode != 0:
            reason = tool_error(result.stderr, result.returncode)
            raise BackupError(f"the archive pg_dump wrote is unreadable: {reason}")
        return
    if request.compress:
        tail = b""
        try:
            with gzip.open(path, "rb") as handle:
                while chunk := handle.read(1024 * 1024):
                    tail = (tail + chunk)[-4096:]
        except (OSError, EOFError) as error:
            raise BackupError(f"the compressed dump is damaged: {one_line(error)}") from None
    else:
        with path.open("rb") as handle:
            handle.seek(max(0, path.stat().st_size - 4096))
            tail = handle.read()
    if COMPLETE_MARKER not in tail:
        raise BackupError("pg_dump's output ends before its 'dump complete' line; the backup is incomplete.")


def _fsync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
