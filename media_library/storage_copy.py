"""Copying a local media folder into a storage (a bucket, when a site moves its media to S3).

Every file keeps its name, so the database's paths stay right. A file the storage already holds with
the same size (and, in a bucket, the same ETag) is skipped: an interrupted copy resumes, and a copy
run twice copies nothing the second time. A different file under the same name is replaced.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from django.core.files import File
from django.core.files.storage import FileSystemStorage
from tqdm import tqdm

from common.storage_files import same_file, stored_files


class CopyError(Exception):
    """The copy could not be done; the message says what to do."""


@dataclass
class CopyReport:
    copied: list[str] = field(default_factory=list)
    skipped: int = 0
    bytes_copied: int = 0


def local_files(source: Path) -> list[tuple[str, Path]]:
    """(storage name, path) of every regular file under ``source``; hidden names and links are left out."""
    found = []
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source)
        if path.is_symlink() or any(part.startswith(".") for part in relative.parts) or not path.is_file():
            continue
        found.append((relative.as_posix(), path))
    return found


def check_destination(source: Path, storage) -> None:
    if not source.is_dir():
        raise CopyError(f"{source} is not a folder.")
    if isinstance(storage, FileSystemStorage):
        destination = Path(storage.location).resolve()
        if destination == source.resolve() or destination.is_relative_to(source.resolve()):
            raise CopyError(
                f"the destination is the folder {destination} itself: configure the bucket first "
                "(AWS_STORAGE_BUCKET_NAME and the other AWS_* variables) or name another storage with --to."
            )


def copy_media(source: Path, storage, *, dry_run: bool = False, progress: bool = False) -> CopyReport:
    """Copy every file of ``source`` into ``storage`` under the same name, skipping those already there."""
    check_destination(source, storage)
    files = local_files(source)
    existing = stored_files(storage)
    report = CopyReport()
    total = sum(path.stat().st_size for _, path in files)
    with tqdm(total=total, unit="B", unit_scale=True, desc="copy", disable=not progress) as bar:
        for name, path in files:
            size = path.stat().st_size
            stored = existing.get(name)
            if same_file(path, stored, storage):
                report.skipped += 1
            else:
                if not dry_run:
                    _copy(name, path, storage, replace=stored is not None)
                report.copied.append(name)
                report.bytes_copied += size
            bar.update(size)
    return report


def _copy(name: str, path: Path, storage, *, replace: bool) -> None:
    try:
        if replace:  # a storage that keeps names would save the new file under another name
            storage.delete(name)
        with path.open("rb") as handle:
            saved = storage.save(name, File(handle, name=name))
    except Exception as error:
        raise CopyError(
            f"{name} could not be copied ({type(error).__name__}: {error}); run again to resume."
        ) from error
    if saved != name:
        raise CopyError(f"the storage saved {name} as {saved}; the database's paths would not find it.")
