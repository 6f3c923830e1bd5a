"""List the backups in BACKUP_DIR, newest first; exit 1 when one is found damaged (--check compares sha256s)."""

import json

from django.core.management.base import CommandError

from blog_project.backups import files, offsite
from blog_project.backups.command import OperationCommand, human_size
from blog_project.backups.errors import BackupError
from blog_project.backups.manifest import Manifest, file_damage

DAMAGED = "damaged: "


class Command(OperationCommand):
    help = (
        "List the backups in BACKUP_DIR, newest first, with size, row count and whether each is complete. "
        "With --check, also compare every file with its sha256. Exit status 1 when a backup is damaged."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dir", help="another backup folder")
        parser.add_argument(
            "--check", action="store_true", help="also compare every file with its sha256; exit 1 if one is damaged"
        )
        parser.add_argument("--json", action="store_true", help="machine-readable output")
        parser.add_argument("--storage", metavar="ALIAS", help="list the off-site copies in this storage (backups)")

    def handle(self, *args, **options):
        if options["storage"]:
            return self.list_remote(options["storage"], options["json"])
        directory = files.backup_dir(options["dir"])
        rows = [self.describe(backup, options["check"]) for backup in reversed(files.backup_sets(directory))]
        if options["json"]:
            self.stdout.write(json.dumps(rows, indent=2))
        elif not rows:
            self.stdout.write(f"No backups in {directory}.")
        else:
            self.stdout.write(f"{len(rows)} backups in {directory}:")
            for row in rows:
                size = human_size(row["size"]) if row["size"] is not None else "-"
                rows_text = f"{row['rows']} rows" if row["rows"] is not None else "-"
                media = " +media" if row["media"] else ""
                line = f"  {row['file']:<40} {row['created']}  {size:>9}  {rows_text:>12}{media}  {row['status']}"
                self.stdout.write(line)
        damaged = [row["status"].removeprefix(DAMAGED) for row in rows if row["status"].startswith(DAMAGED)]
        if damaged:  # one line, for cron's mail: which backups and why
            verb = "is" if len(damaged) == 1 else "are"
            raise CommandError(
                f"{len(damaged)} of {len(rows)} backups in {directory} {verb} damaged, do not restore from "
                f"{'it' if len(damaged) == 1 else 'them'}: {'; '.join(damaged)}."
            )

    @staticmethod
    def describe(backup: files.BackupSet, check: bool) -> dict:
        row = {
            "file": backup.dump.name if backup.dump else backup.stem,
            "created": backup.created.strftime("%Y-%m-%d %H:%M:%S UTC"),
            "size": backup.dump.stat().st_size if backup.dump else None,
            "rows": None,
            "media": backup.media.is_file(),
            "status": "ok",
        }
        if not backup.complete:
            row["status"] = "incomplete: no dump" if backup.dump is None else "incomplete: no manifest"
            return row
        try:
            manifest = Manifest.read(backup.manifest)
        except BackupError as error:
            row["status"] = DAMAGED + str(error)
            return row
        row["rows"] = manifest.total_rows
        if not check:
            return row
        checked = [(backup.dump, manifest.size, manifest.sha256)]
        if manifest.media:
            checked.append((backup.directory / manifest.media.file, manifest.media.size, manifest.media.sha256))
        reasons = [reason for path, size, sha256 in checked if (reason := file_damage(path, size, sha256))]
        row["status"] = DAMAGED + "; ".join(reasons) if reasons else "ok, sha256 checked"
        return row

    def list_remote(self, alias: str, as_json: bool) -> None:
        """The sets in an off-site storage, newest first (their sha256s are checked when one is restored)."""
        rows = []
        for remote in reversed(offsite.remote_sets(offsite.backup_storage(alias))):
            dump = remote.dump
            rows.append(
                {
                    "file": dump.name if dump else remote.stamp,
                    "created": remote.created.strftime("%Y-%m-%d %H:%M:%S UTC"),
                    "size": dump.size if dump else None,
                    "media": remote.media is not None,
                    "status": "ok" if remote.complete else "incomplete: no " + ("manifest" if dump else "dump"),
                }
            )
        if as_json:
            self.stdout.write(json.dumps(rows, indent=2))
            return
        self.stdout.write(f"{len(rows)} backups in storage {alias!r}:" if rows else f"No backups in storage {alias!r}.")
        for row in rows:
            size = human_size(row["size"]) if row["size"] is not None else "-"
            media = " +media" if row["media"] else ""
            self.stdout.write(f"  {row['file']:<44} {row['created']}  {size:>9}{media}  {row['status']}")
