"""Restore the newest backup into a scratch database, check it, and record the drill (cron: daily)."""

from django.core.management.base import CommandError

from blog_project.backups.command import OperationCommand, human_size
from blog_project.backups.drill import run_drill
from operations.services import record_drill


class Command(OperationCommand):
    help = (
        "Restore drill: restore the newest backup (from BACKUP_DIR, or --from-storage) into a scratch database, "
        "compare row counts with the manifest, run readers' queries on it, drop it, and record the outcome and "
        "the time it took (the dashboard in the admin shows them). Exit status 1 when the drill fails."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--from-storage", metavar="ALIAS", help="drill the newest off-site copy in this storage (backups)"
        )
        parser.add_argument("--server", help="postgres://USER:PASSWORD@HOST:PORT/ANY_DATABASE to restore on")

    def handle(self, *args, **options):
        drill = run_drill(self.database(options["server"]), options["from_storage"], self.show_progress(options))
        record_drill(**vars(drill))
        if not drill.succeeded:
            raise CommandError(f"restore drill failed ({drill.backup_file or 'no backup'}): {drill.error}")
        smoke = drill.details["smoke"]
        self.stdout.write(
            f"Restore drill passed: {drill.backup_file} ({human_size(drill.backup_bytes)}) from {drill.source} "
            f"restored in {drill.restore_seconds:.1f} s ({drill.total_seconds:.1f} s in all); {drill.tables} tables, "
            f"{drill.rows} rows as the manifest says; {smoke['live_posts']} live posts."
        )
