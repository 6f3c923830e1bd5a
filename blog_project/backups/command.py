"""The base of the backup commands: any failure becomes one line on stderr and exit status 1."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from blog_project.backups.connection import Database
from blog_project.backups.errors import BackupError, one_line


def human_size(size: float) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    raise AssertionError("unreachable")


class OperationCommand(BaseCommand):
    requires_system_checks = []  # cron runs these hourly; the checks belong to `manage.py check`

    def execute(self, *args, **options):
        try:
            return super().execute(*args, **options)
        except CommandError:
            raise
        except BackupError as error:
            raise CommandError(str(error)) from None
        except Exception as error:  # cron mails one line; a traceback would bury it (--traceback shows it)
            if options.get("traceback"):
                raise
            raise CommandError(f"{type(error).__name__}: {one_line(error)}") from None

    @staticmethod
    def show_progress(options: dict) -> bool:
        """Progress bars only for a person at a terminal, never in cron's mail."""
        return options["verbosity"] >= 1 and sys.stderr.isatty()

    @staticmethod
    def add_backup_file_argument(parser) -> None:
        parser.add_argument("file", help="the backup file: a path, a file name inside BACKUP_DIR, or latest")

    @staticmethod
    def database(url: str | None) -> Database:
        """The database a ``--target``/``--server`` URL names, else the configured one."""
        return Database.from_url(url) if url else Database.from_settings()
