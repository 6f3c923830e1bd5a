from django.conf import settings
from django.core.management.base import BaseCommand
from tqdm import tqdm

from common.ages import add_older_than, older_than
from content.editorial import trash


class Command(BaseCommand):
    help = "Delete for good the posts that have been in the trash longer than --older-than (default 30d)."

    def add_arguments(self, parser):
        add_older_than(
            parser, default=f"{settings.TRASH_RETENTION_DAYS}d", what="Age in the trash (TRASH_RETENTION_DAYS)"
        )

    def handle(self, *args, **options):
        age = older_than(options)
        quiet = options["verbosity"] < 1
        purged = trash.purge_trash(
            age, progress=lambda ids: tqdm(ids, desc="purging", unit="post", disable=quiet or not ids)
        )
        self.stdout.write(f"Purged {purged} posts that were in the trash for more than {options['older_than']}.")
