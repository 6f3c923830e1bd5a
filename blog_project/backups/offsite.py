"""Off-site copies: each backup set uploaded to the storage "backups", optionally encrypted, and fetched back.

The remote names are the local ones (``.age`` added when encrypted), uploaded dump first and
manifest last, so a set without its manifest is incomplete there too. Retention follows the local
rule, with each backup's age read from the UTC time in its name: older than BACKUP_RETENTION_DAYS
goes, the newest complete set always stays.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import storages

from blog_project.backups import encryption, files
from blog_project.backups.errors import BackupError, one_line
from common.storage_files import StoredFile, stored_files

ALIAS = "backups"
REMOTE_PATTERN = re.compile(
    r"^blog_backup_(?P<stamp>\d{8}_\d{6})(?P<suffix>\.sql|\.sql\.gz|\.dump|\.manifest\.json|\.media\.tar\.gz)"
    r"(?P<age>\.age)?$"
)
_CHUNK = 4 * 1024 * 1024


def backup_storage(alias: str = ALIAS):
    if alias not in settings.STORAGES:
        raise BackupError(
            f"no storage {alias!r} is configured for off-site copies: set BACKUP_STORAGE_BUCKET "
            "(README, Off-site copies)."
        )
    return storages[alias]


@dataclass
class RemoteSet:
    stamp: str
    files: dict[str, StoredFile] = field(default_factory=dict)  # by suffix (.sql, .manifest.json, …)

    @property
    def dump(self) -> StoredFile | None:
        return next((f for suffix, f in self.files.items() if suffix in files.DUMP_SUFFIXES.values()), None)

    @property
    def manifest(self) -> StoredFile | None:
        return self.files.get(files.MANIFEST_SUFFIX)

    @property
    def media(self) -> StoredFile | None:
        return self.files.get(files.MEDIA_SUFFIX)

    @property
    def complete(self) -> bool:
        return self.dump is not None and self.manifest is not None

    @property
    def created(self) -> datetime:
        return datetime.strptime(self.stamp, files.STAMP_FORMAT).replace(tzinfo=UTC)


def remote_sets(storage) -> list[RemoteSet]:
    """The backup sets at the top of the storage, oldest first."""
    sets: dict[str, RemoteSet] = {}
    for name, stored in stored_files(storage).items():
        if "/" not in name and (match := REMOTE_PATTERN.match(name)):
            sets.setdefault(match["stamp"], RemoteSet(match["stamp"])).files[match["suffix"]] = stored
    return [sets[stamp] for stamp in sorted(sets)]


@dataclass
class Upload:
    alias: str
    names: list[str] = field(default_factory=list)
    size: int = 0
    encrypted: bool = False
    removed: list[str] = field(default_factory=list)


def upload_backup(backup: files.BackupSet, alias: str = ALIAS, retention_days: int | None = None) -> Upload:
    """Copy the set's files (dump, media archive, manifest last) to ``alias``, then apply retention there."""
    storage, key = backup_storage(alias), encryption.configured_key()
    result = Upload(alias, encrypted=key is not None)
    for path in (backup.dump, backup.media, backup.manifest):
        if path is None or not path.is_file():
            continue
        source, name = path, path.name
        if key:
            name += encryption.SUFFIX
            source = files.partial_path(path.with_name(name))
            encryption.encrypt_file(path, source, key)
        try:
            _put(storage, name, source)
        finally:
            if source != path:
                source.unlink(missing_ok=True)
        result.names.append(name)
        result.size += storage.size(name)
    days = settings.BACKUP_RETENTION_DAYS if retention_days is None else retention_days
    result.removed = prune_remote(storage, days, keep=backup.stamp)
    return result


def _put(storage, name: str, source: Path) -> None:
    try:
        if storage.exists(name):  # a storage that keeps names would save under another one
            storage.delete(name)
        with source.open("rb") as handle:
            saved = storage.save(name, File(handle, name=name))
        stored_size = storage.size(saved)
    except Exception as error:
        raise BackupError(f"{name} could not be uploaded: {type(error).__name__}: {one_line(error)}") from None
    if saved != name or stored_size != source.stat().st_size:
        raise BackupError(f"{name} was stored as {saved} with {stored_size} bytes, not {source.stat().st_size}.")


def prune_remote(storage, days: int, keep: str | None = None) -> list[str]:
    """Delete the remote files of sets older than ``days`` (by their names' time), except ``keep`` and the newest
    complete set."""
    cutoff = time.time() - days * 86400
    sets = remote_sets(storage)
    protected = {keep} if keep else set()
    complete = [remote for remote in sets if remote.complete]
    if complete:
        protected.add(complete[-1].stamp)
    removed = []
    for remote in sets:
        if remote.stamp in protected or remote.created.timestamp() >= cutoff:
            continue
        for stored in remote.files.values():
            storage.delete(stored.name)
            removed.append(stored.name)
    return removed


def find_remote(storage, name: str) -> RemoteSet:
    """The complete set whose dump is ``name`` (``.age`` or not), or the newest complete one for ``latest``."""
    complete = [remote for remote in remote_sets(storage) if remote.complete]
    if name == "latest":
        if not complete:
            raise BackupError("there is no complete backup in the off-site storage.")
        return complete[-1]
    wanted = Path(name).name.removesuffix(encryption.SUFFIX)
    for remote in complete:
        if remote.dump.name.removesuffix(encryption.SUFFIX) == wanted:
            return remote
    raise BackupError(f"the off-site storage holds no complete backup {wanted}.")


def download_backup(alias: str, name: str, directory: Path, media: bool = False) -> Path:
    """Fetch a set (``latest`` or a dump's name) into ``directory``, decrypted; return the local dump's path."""
    storage = backup_storage(alias)
    remote = find_remote(storage, name)
    files.prepare_directory(directory)
    key = (
        encryption.configured_key() if any(f.name.endswith(encryption.SUFFIX) for f in remote.files.values()) else None
    )
    wanted = [remote.dump, remote.manifest] + ([remote.media] if media and remote.media else [])
    with files.exclusive_lock(directory):  # a backup starting meanwhile would take our partial files for its own
        local = [_fetch(storage, stored.name, directory, key) for stored in wanted]
    return local[0]


def _fetch(storage, name: str, directory: Path, key) -> Path:
    final = directory / name.removesuffix(encryption.SUFFIX)
    download = files.partial_path(directory / name)
    try:
        with storage.open(name, "rb") as remote, encryption.private_writer(download) as handle:
            while chunk := remote.read(_CHUNK):
                handle.write(chunk)
    except Exception as error:
        download.unlink(missing_ok=True)
        raise BackupError(f"{name} could not be downloaded: {type(error).__name__}: {one_line(error)}") from None
    if name.endswith(encryption.SUFFIX):
        plain = files.partial_path(final)
        try:
            encryption.decrypt_file(download, plain, key)
        finally:
            download.unlink(missing_ok=True)
        download = plain
    download.rename(final)
    return final


def decrypt_local(path: Path, media: bool = False) -> Path:
    """A set fetched by hand as ``.age`` files: the dump, its manifest (and media archive) decrypted beside them."""
    dump = path.with_name(path.name.removesuffix(encryption.SUFFIX))
    backup = files.set_for_file(dump)
    if not backup.stamp:
        raise BackupError(f"{path.name} is not named like a backup (blog_backup_YYYYMMDD_HHMMSS.sql.age).")
    key = encryption.configured_key()
    wanted = [dump, backup.manifest] + ([backup.media] if media else [])
    for plain in wanted:
        encrypted = plain.with_name(plain.name + encryption.SUFFIX)
        if encrypted.is_file():
            partial = files.partial_path(plain)
            encryption.decrypt_file(encrypted, partial, key)
            partial.rename(plain)
    return dump
