"""Archive and delete old llm_log rows (see llm.retention)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from common.ages import add_older_than, older_than
from llm import retention


class Command(BaseCommand):
    help = "Archive llm_log rows older than an age to compressed JSON Lines, then delete them in batches."

    def add_arguments(self, parser):
        add_older_than(parser, default=f"{settings.LLM_LOG_RETENTION_DAYS}d", what="Age (LLM_LOG_RETENTION_DAYS)")
        parser.add_argument(
            "--archive",
            default=str(settings.LLM_LOG_ARCHIVE_DIR),
            help="Folder for the archives (default: LLM_LOG_ARCHIVE_DIR, %(default)s).",
        )
        parser.add_argument("--no-archive", action="store_true", help="Delete without archiving.")
        parser.add_argument("--batch-size", type=int, default=settings.LLM_LOG_PRUNE_BATCH_SIZE)
        parser.add_argument("--dry-run", action="store_true", help="Count what would go; change nothing.")

    def handle(self, *args, archive, no_archive, batch_size, dry_run, **options):
        cutoff = retention.cutoff_for(older_than(options))
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        total = retention.old_logs(cutoff).count()
        if dry_run:
            self.stdout.write(f"{total} log rows older than {cutoff:%Y-%m-%d %H:%M} would be archived and deleted.")
            return
        archive_dir = None if no_archive else Path(archive)
        with tqdm(total=total, unit="rows", disable=options["verbosity"] == 0) as bar:
            deleted, files = retention.prune(
                cutoff, archive_dir=archive_dir, batch_size=batch_size, progress=bar.update
            )
        where = f" into {len(files)} file(s) under {archive_dir}" if files else ""
        self.stdout.write(self.style.SUCCESS(f"Deleted {deleted} log rows older than {cutoff:%Y-%m-%d}{where}."))
