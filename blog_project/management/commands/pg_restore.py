"""Restore a backup into the configured database, or into another with --target."""

from blog_project.backups.command import OperationCommand
from blog_project.backups.files import resolve_backup_file
from blog_project.backups.restore import RestoreRequest, restore_backup
from blog_project.backups.summary import restore_report


class Command(OperationCommand):
    help = (
        "Restore a backup made by pg_backup (plain, gzip or custom) into the configured database or --target URL. "
        "A target that already holds tables is replaced only with --yes."
    )

    def add_arguments(self, parser):
        self.add_backup_file_argument(parser)
        parser.add_argument("--target", help="postgres://USER:PASSWORD@HOST:PORT/NAME (created when missing)")
        parser.add_argument("--yes", action="store_true", help="replace the contents of a target that holds tables")
        parser.add_argument("--media", action="store_true", help="also put back the media archived with --media")
        parser.add_argument("--jobs", type=int, help="parallel pg_restore jobs for a custom archive")

    def handle(self, *args, **options):
        target = self.database(options["target"])
        request = RestoreRequest(
            path=resolve_backup_file(options["file"]),
            target=target,
            replace=options["yes"],
            create=bool(options["target"]),
            media=options["media"],
            progress=self.show_progress(options),
        )
        if options["jobs"]:
            request.jobs = options["jobs"]
        result = restore_backup(request)
        restore_report(self, request, result, verb="Restored")
