"""List the backups in BACKUP_DIR, newest first."""

import json

from blog_project.backups import files
from blog_project.backups.command import OperationCommand, human_size
from blog_project.backups.errors import BackupError
from blog_project.backups.manifest import Manifest, check_file


class Command(OperationCommand):
    help = "List the backups in BACKUP_DIR, newest first, with size, row count and whether each is complete."

    def add_arguments(self, parser):
        parser.add_argument("--dir", help="another backup folder")
        parser.add_argument("--check", action="store_true", help="also compare every file with its sha256")
        parser.add_argument("--json", action="store_true", help="machine-readable output")

    def handle(self, *args, **options):
        directory = files.backup_dir(options["dir"])
        rows = [self.describe(backup, options["check"]) for backup in reversed(files.backup_sets(directory))]
        if options["json"]:
            self.stdout.write(json.dumps(rows, indent=2))
            return
        if not rows:
            self.stdout.write(f"No backups in {directory}.")
            return
        self.stdout.write(f"{len(rows)} backups in {directory}:")
        for row in rows:
            size = human_size(row["size"]) if row["size"] is not None else "-"
            rows_text = f"{row['rows']} rows" if row["rows"] is not None else "-"
            media = " +media" if row["media"] else ""
            line = f"  {row['file']:<40} {row['created']}  {size:>9}  {rows_text:>12}{media}  {row['status']}"
            self.stdout.write(line)

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
            row["rows"] = manifest.total_rows
            if check:
                check_file(backup.dump, manifest.size, manifest.sha256)
                row["status"] = "ok, sha256 checked"
        except BackupError as error:
            row["status"] = f"damaged: {error}"
        return row
