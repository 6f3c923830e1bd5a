"""Where the newest good backups are, as told by whoever makes them.

The app knows nothing of how backups are made: the project registers one source per place (this
server's backup folder, the off-site storage) when it starts, as media_library's usage sources do.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class NewestBackup:
    place: str  # in plain words: "this server (BACKUP_DIR)", "off-site storage 'backups'"
    name: str = ""  # empty when there is none
    created: datetime | None = None
    size: int | None = None
    error: str = ""  # why the place could not be read


_sources: dict[str, Callable[[], NewestBackup | None]] = {}


def register(key: str, source: Callable[[], NewestBackup | None]) -> None:
    """``source`` returns the newest good backup of its place, or None when the place is not in use."""
    _sources[key] = source


def newest_backups() -> list[NewestBackup]:
    found = []
    for key, source in _sources.items():
        try:
            newest = source()
        except Exception as error:  # a storage that cannot be reached: the page says so
            newest = NewestBackup(place=key, error=f"could not be read ({type(error).__name__})")
        if newest is not None:
            found.append(newest)
    return found
