"""Media files on the local filesystem, archived beside a dump and put back on restore.

Only the filesystem storage is archived: media in S3-compatible storage are kept safe
by the bucket itself (versioning, replication), which the README describes.
"""

from __future__ import annotations

import tarfile
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages

from blog_project.backups.errors import BackupError, one_line


def media_root() -> Path:
    """MEDIA_ROOT, or an error when media are not on the local filesystem."""
    storage = storages["default"]
    if not isinstance(storage, FileSystemStorage):
        raise BackupError(
            f"media are stored in {type(storage).__name__}, not on this server's disk; "
            "back them up with the storage's own versioning or replication (see README)."
        )
    return Path(settings.MEDIA_ROOT)


def archive_media(root: Path, destination: Path) -> int:
    """Write every file under ``root`` into the gzip tar ``destination``; return the number of files."""
    count = 0
    try:
        with tarfile.open(destination, "w:gz", compresslevel=6) as archive:
            if root.is_dir():
                for path in sorted(root.rglob("*")):
                    if path.is_file():
                        archive.add(path, arcname=str(path.relative_to(root)), recursive=False)
                        count += 1
    except OSError as error:
        raise BackupError(f"cannot archive media from {root}: {one_line(error)}") from None
    return count


def restore_media(archive_path: Path, root: Path) -> int:
    """Extract the archive into ``root`` (existing files of the same name are replaced); return the count.

    The ``data`` filter refuses absolute paths, ``..`` and links out of ``root``.
    """
    try:
        root.mkdir(parents=True, exist_ok=True)
        with tarfile.open(archive_path, "r:gz") as archive:
            members = [member for member in archive.getmembers() if member.isfile()]
            archive.extractall(root, members=members, filter="data")
    except (OSError, tarfile.TarError) as error:
        raise BackupError(f"cannot restore media from {archive_path.name}: {one_line(error)}") from None
    return len(members)
