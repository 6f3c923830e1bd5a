"""Restore a backup into a scratch database and compare its row counts with the manifest."""

from django.core.management.base import CommandError

from blog_project.backups.command import OperationCommand
from blog_project.backups.files import resolve_backup_file
from blog_project.backups.restore import RestoreRequest
from blog_project.backups.summary import restore_report
from blog_project.backups.verify import verify_backup


class Command(OperationCommand):
    help = (
        "Restore a backup into a temporary database on the configured server (or --server URL), compare every "
        "table's row count with the manifest, then drop the temporary database. Exit status 1 on any difference."
    )

    def add_arguments(self, parser):
        self.add_backup_file_argument(parser)
        parser.add_argument("--server", help="postgres://USER:PASSWORD@HOST:PORT/ANY_DATABASE to restore on")

    def handle(self, *args, **options):
        server = self.database(options["server"])
        request = RestoreRequest(
            path=resolve_backup_file(options["file"]), target=server, progress=self.show_progress(options)
        )
        result = verify_backup(request)
        restore_report(self, request, result, verb="Verified")
        if result.mismatches:
            raise CommandError(f"{request.path.name} failed verification: {len(result.mismatches)} tables differ.")
