"""Names and places of backup files, and the lock that keeps two runs from writing at once.

A backup made at 2026-11-26 03:00:00 UTC is a set of files sharing one stem:
``blog_backup_20261126_030000.sql`` (or ``.sql.gz``, ``.dump``), its
``.manifest.json`` and, with ``--media``, its ``.media.tar.gz``. The manifest is
renamed into place last, so a dump without a manifest is never taken for a good backup.
Work in progress is written under hidden ``.partial`` names that no listing, retention
or restore looks at.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings

from blog_project.backups.errors import BackupError, one_line

PREFIX = "blog_backup_"
STAMP_FORMAT = "%Y%m%d_%H%M%S"
DUMP_SUFFIXES = {"plain": ".sql", "plain+gzip": ".sql.gz", "custom": ".dump"}
MANIFEST_SUFFIX = ".manifest.json"
MEDIA_SUFFIX = ".media.tar.gz"
PARTIAL_SUFFIX = ".partial"
LOCK_NAME = ".blog_backup.lock"
NAME_PATTERN = re.compile(
    r"^blog_backup_(?P<stamp>\d{8}_\d{6})(?P<suffix>\.sql|\.sql\.gz|\.dump|\.manifest\.json|\.media\.tar\.gz)$"
)
PARTIAL_PATTERN = re.compile(r"^\.blog_backup_\d{8}_\d{6}\..*\.partial$")


def backup_dir(override: str | Path | None = None) -> Path:
    return Path(override or settings.BACKUP_DIR).expanduser()


@dataclass(frozen=True)
class BackupSet:
    """The files of one backup; ``dump`` is None when only a stray manifest or archive is left."""

    directory: Path
    stamp: str
    dump: Path | None

    @property
    def stem(self) -> str:
        return PREFIX + self.stamp

    @property
    def manifest(self) -> Path:
        return self.directory / (self.stem + MANIFEST_SUFFIX)

    @property
    def media(self) -> Path:
        return self.directory / (self.stem + MEDIA_SUFFIX)

    @property
    def created(self) -> datetime:
        return datetime.strptime(self.stamp, STAMP_FORMAT).replace(tzinfo=UTC)

    @property
    def complete(self) -> bool:
        return self.dump is not None and self.dump.is_file() and self.manifest.is_file()

    def files(self) -> list[Path]:
        candidates = [self.dump, self.manifest, self.media]
        return [path for path in candidates if path is not None and path.is_file()]


def dump_name(stamp: str, format_name: str) -> str:
    return PREFIX + stamp + DUMP_SUFFIXES[format_name]


def partial_path(final: Path) -> Path:
    return final.with_name("." + final.name + PARTIAL_SUFFIX)


def backup_sets(directory: Path) -> list[BackupSet]:
    """Every backup in ``directory``, oldest first (files of other names are ignored)."""
    stamps: dict[str, Path | None] = {}
    if not directory.is_dir():
        return []
    for path in directory.iterdir():
        match = NAME_PATTERN.match(path.name)
        if not match or not path.is_file():
            continue
        stamps.setdefault(match["stamp"], None)
        if match["suffix"] in DUMP_SUFFIXES.values():
            stamps[match["stamp"]] = path
    return [BackupSet(directory, stamp, dump) for stamp, dump in sorted(stamps.items())]


def set_for_file(path: Path) -> BackupSet:
    """The backup set a dump file belongs to (a file of another name is a set of one, without manifest)."""
    match = NAME_PATTERN.match(path.name)
    if match and match["suffix"] in DUMP_SUFFIXES.values():
        return BackupSet(path.parent, match["stamp"], path)
    return BackupSet(path.parent, "", path)


def resolve_backup_file(name: str) -> Path:
    """A path as given, a file name inside BACKUP_DIR, or ``latest``: the newest complete backup there."""
    if name == "latest":
        complete = [backup for backup in backup_sets(backup_dir()) if backup.complete]
        if not complete:
            raise BackupError(f"there is no complete backup in {backup_dir()}.")
        return complete[-1].dump
    path = Path(name).expanduser()
    if not path.exists() and not path.is_absolute() and (backup_dir() / name).exists():
        path = backup_dir() / name
    if not path.is_file():
        raise BackupError(f"backup file {name} does not exist.")
    return path


def new_stamp(directory: Path) -> str:
    """A UTC timestamp not used by a backup in ``directory`` yet (waiting a second if needed)."""
    while True:
        stamp = datetime.now(UTC).strftime(STAMP_FORMAT)
        if not any((directory / (PREFIX + stamp + suffix)).exists() for suffix in DUMP_SUFFIXES.values()):
            return stamp
        time.sleep(0.2)


def prepare_directory(directory: Path) -> None:
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as error:
        raise BackupError(f"cannot create backup folder {directory}: {one_line(error)}") from None
    if not os.access(directory, os.W_OK):
        raise BackupError(f"backup folder {directory} is not writable.")


@contextlib.contextmanager
def exclusive_lock(directory: Path) -> Iterator[None]:
    """Hold the folder's lock, or fail at once when another backup holds it.

    Partial files found while holding the lock belong to a run that died; they are removed.
    """
    try:
        handle = open(directory / LOCK_NAME, "a")  # noqa: SIM115 - held for the whole block
    except OSError as error:
        raise BackupError(f"cannot open the lock file in {directory}: {one_line(error)}") from None
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BackupError(
                f"another backup is running (lock {directory / LOCK_NAME} is held); this run did nothing."
            ) from None
        for stale in directory.iterdir():
            if PARTIAL_PATTERN.match(stale.name):
                stale.unlink(missing_ok=True)
        yield
