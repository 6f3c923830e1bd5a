"""Back up the configured database (and, with --media, the media files) into BACKUP_DIR."""

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages

from blog_project.backups.command import OperationCommand, human_size
from blog_project.backups.connection import Database
from blog_project.backups.crontab import crontab_lines
from blog_project.backups.dump import FORMATS, BackupRequest, create_backup
from blog_project.backups.encryption import generate_key


class Command(OperationCommand):
    help = (
        "Dump the configured database into BACKUP_DIR as blog_backup_YYYYMMDD_HHMMSS.sql (restorable with psql), "
        "write its manifest, then delete backups older than BACKUP_RETENTION_DAYS (never the newest good one)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=FORMATS, default="plain", help="plain SQL (default) or custom")
        parser.add_argument("--compress", action="store_true", help="gzip the plain SQL (.sql.gz)")
        parser.add_argument("--media", action="store_true", help="also archive MEDIA_ROOT beside the dump")
        parser.add_argument("--output-dir", help=f"folder for this backup (default BACKUP_DIR={settings.BACKUP_DIR})")
        parser.add_argument("--retention-days", type=int, help="override BACKUP_RETENTION_DAYS for this run")
        parser.add_argument(
            "--upload",
            action="store_true",
            help="also copy the backup to the off-site storage 'backups' (default: BACKUP_UPLOAD)",
        )
        parser.add_argument("--print-crontab", action="store_true", help="print the crontab lines and exit")
        parser.add_argument(
            "--generate-key", action="store_true", help="print a new age key pair for BACKUP_ENCRYPTION_KEY and exit"
        )

    def handle(self, *args, **options):
        if options["generate_key"]:
            secret, public = generate_key()
            self.stdout.write(
                f"BACKUP_ENCRYPTION_KEY={secret}\n# public key (may replace the secret one on the server): {public}"
            )
            return
        if options["print_crontab"]:
            media_on_disk = isinstance(storages["default"], FileSystemStorage)
            self.stdout.write("\n".join(crontab_lines(media=media_on_disk)))
            return
        request = BackupRequest(
            format=options["format"],
            compress=options["compress"],
            media=options["media"],
            directory=options["output_dir"],
            retention_days=options["retention_days"],
            progress=self.show_progress(options),
            upload=options["upload"] or settings.BACKUP_UPLOAD,
        )
        result = create_backup(Database.from_settings(), request)
        manifest = result.manifest
        media = f", media: {manifest.media.files} files" if manifest.media else ""
        self.stdout.write(
            f"Backup {result.backup.dump} written ({human_size(manifest.size)}, {len(manifest.tables)} tables, "
            f"{manifest.total_rows} rows{media}, {manifest.duration_seconds:.1f} s)."
        )
        if result.removed:
            self.stdout.write(f"Retention: removed {len(result.removed)} old files.")
        if upload := result.upload:
            encrypted = "encrypted, " if upload.encrypted else ""
            removed = f"; retention there removed {len(upload.removed)} old files" if upload.removed else ""
            self.stdout.write(
                f"Off-site: {len(upload.names)} files ({encrypted}{human_size(upload.size)}) in storage "
                f"{upload.alias!r}{removed}."
            )
