"""Restore a backup into the configured database, or into another with --target."""

from blog_project.backups.command import OperationCommand
from blog_project.backups.encryption import SUFFIX
from blog_project.backups.files import backup_dir, resolve_backup_file
from blog_project.backups.offsite import decrypt_local, download_backup
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
        parser.add_argument(
            "--from-storage",
            metavar="ALIAS",
            help="fetch FILE (a dump's name, or latest) from this off-site storage (backups) into BACKUP_DIR first, "
            "decrypted with BACKUP_ENCRYPTION_KEY (a FILE.age fetched by hand is decrypted beside it without this)",
        )

    def handle(self, *args, **options):
        target = self.database(options["target"])
        if options["from_storage"]:
            path = download_backup(options["from_storage"], options["file"], backup_dir(), media=options["media"])
            self.stdout.write(f"Fetched {path.name} and its manifest from storage {options['from_storage']!r}.")
        else:
            path = resolve_backup_file(options["file"])
            if path.name.endswith(SUFFIX):  # fetched by hand: decrypted beside it first
                path = decrypt_local(path, media=options["media"])
        request = RestoreRequest(
            path=path,
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
