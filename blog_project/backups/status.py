"""The newest good backup of each place, for the operations dashboard (registered in blog_project/apps.py)."""

from __future__ import annotations

from django.conf import settings

from blog_project.backups import files, offsite, retention
from operations.backup_status import NewestBackup


def newest_local() -> NewestBackup:
    place = f"this server (BACKUP_DIR {files.backup_dir()})"
    newest = retention.newest_good(files.backup_dir())
    if newest is None:
        return NewestBackup(place=place)
    size = newest.dump.stat().st_size + (newest.media.stat().st_size if newest.media.is_file() else 0)
    return NewestBackup(place=place, name=newest.dump.name, created=newest.created, size=size)


def newest_offsite() -> NewestBackup | None:
    """None when no off-site storage is configured."""
    if offsite.ALIAS not in settings.STORAGES:
        return None
    place = f"off-site storage {offsite.ALIAS!r}"
    complete = [remote for remote in offsite.remote_sets(offsite.backup_storage()) if remote.complete]
    if not complete:
        return NewestBackup(place=place)
    newest = complete[-1]
    size = newest.dump.size + (newest.media.size if newest.media else 0)
    return NewestBackup(place=place, name=newest.dump.name, created=newest.created, size=size)
