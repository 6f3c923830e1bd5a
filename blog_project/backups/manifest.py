"""The manifest written beside every dump: what it holds, and how to tell it is intact."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from blog_project.backups.errors import BackupError, one_line

VERSION = 1
_CHUNK = 1024 * 1024


@dataclass
class MediaArchive:
    file: str
    size: int
    sha256: str
    files: int


@dataclass
class Manifest:
    file: str
    format: str  # "plain" or "custom"
    compressed: bool
    size: int
    sha256: str
    created_at: str
    database: str
    server_version: str
    server_major: int
    pg_dump_version: str
    pg_dump_major: int
    duration_seconds: float
    tables: dict[str, int] = field(default_factory=dict)
    media: MediaArchive | None = None
    version: int = VERSION

    @property
    def total_rows(self) -> int:
        return sum(self.tables.values())

    def write(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), indent=2, sort_keys=True) + "\n")

    @classmethod
    def read(cls, path: Path) -> Manifest:
        try:
            text = path.read_text()
        except OSError as error:
            raise BackupError(f"manifest {path.name} cannot be read: {one_line(error)}") from None
        try:
            data = json.loads(text)
        except ValueError as error:
            raise BackupError(f"manifest {path.name} is not valid JSON ({one_line(error)})") from None
        try:
            media = data.pop("media", None)
            return cls(**data, media=MediaArchive(**media) if media else None)
        except (AttributeError, TypeError) as error:
            raise BackupError(
                f"manifest {path.name} does not describe a backup (missing or unknown fields: {one_line(error)})"
            ) from None


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def file_damage(path: Path, size: int, sha256: str) -> str | None:
    """Why ``path`` is not the file its manifest describes, in plain words; None when it is."""
    try:
        actual_size = path.stat().st_size
    except FileNotFoundError:
        return f"{path.name} is missing"
    if actual_size != size:
        return (
            f"{path.name} is {actual_size} bytes but was {size} bytes when the backup was made: "
            "it was cut short or changed since"
        )
    if sha256_of(path) != sha256:
        return f"{path.name} does not match the sha256 in its manifest: its contents changed after the backup was made"
    return None


def check_file(path: Path, size: int, sha256: str) -> None:
    """Raise when ``path`` is not exactly the file the manifest describes."""
    if reason := file_damage(path, size, sha256):
        raise BackupError(f"{reason}; the file is damaged.")
