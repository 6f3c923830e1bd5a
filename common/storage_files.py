"""What a Django storage holds, with sizes (and S3 ETags) in one listing, and whether a local file is the same.

A bucket is listed with ``list_objects_v2``, a thousand files a request, instead of one request per
file; other storages are walked through the storage API.
"""

from __future__ import annotations

import hashlib
import posixpath
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class StoredFile:
    name: str
    size: int
    etag: str | None = None  # S3's, without quotes
    modified: datetime | None = None


def _s3(storage) -> bool:
    try:
        from storages.backends.s3 import S3Storage
    except ImportError:  # django-storages[s3] not installed
        return False
    return isinstance(storage, S3Storage)


def stored_files(storage, folder: str = "") -> dict[str, StoredFile]:
    """Every file under ``folder`` (its subfolders too), by storage name."""
    if _s3(storage):
        return _bucket_files(storage, folder)
    found = {}
    pending = [folder]
    while pending:
        current = pending.pop()
        try:
            folders, files = storage.listdir(current)
        except FileNotFoundError:
            continue
        pending += [posixpath.join(current, name) for name in folders]
        for name in files:
            full = posixpath.join(current, name)
            found[full] = StoredFile(full, storage.size(full))
    return found


def _bucket_files(storage, folder: str) -> dict[str, StoredFile]:
    location = storage.location.strip("/")
    prefix = "/".join(part for part in (location, folder.strip("/")) if part)
    prefix = prefix + "/" if prefix else ""
    paginator = storage.connection.meta.client.get_paginator("list_objects_v2")
    found = {}
    for page in paginator.paginate(Bucket=storage.bucket_name, Prefix=prefix):
        for entry in page.get("Contents", ()):
            name = entry["Key"][len(location) + 1 :] if location else entry["Key"]
            if name and not name.endswith("/"):
                etag = entry.get("ETag", "").strip('"') or None
                found[name] = StoredFile(name, entry["Size"], etag, entry.get("LastModified"))
    return found


def s3_etag(path: Path, threshold: int, part_size: int) -> str:
    """The ETag S3 gives ``path`` uploaded whole (its MD5) or in parts (MD5 of the parts' MD5s, ``-N``)."""
    size = path.stat().st_size
    with path.open("rb") as handle:
        if size < threshold:
            digest = hashlib.md5(usedforsecurity=False)
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
            return digest.hexdigest()
        parts = []
        while part := handle.read(part_size):
            parts.append(hashlib.md5(part, usedforsecurity=False).digest())
    return hashlib.md5(b"".join(parts), usedforsecurity=False).hexdigest() + f"-{len(parts)}"


def same_file(path: Path, stored: StoredFile | None, storage) -> bool:
    """Whether ``stored`` holds ``path``'s bytes: same size, and for a bucket the same ETag."""
    if stored is None or stored.size != path.stat().st_size:
        return False
    if stored.etag is None or not _s3(storage):
        return True
    config = storage.transfer_config  # what django-storages uploads with: whole below the threshold
    return stored.etag == s3_etag(path, config.multipart_threshold, config.multipart_chunksize)
