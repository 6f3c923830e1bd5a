from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from common.ages import parse_age
from content.editorial import trash


class Command(BaseCommand):
    help = "Delete for good the posts that have been in the trash longer than --older-than (default 30d)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            default=f"{settings.TRASH_RETENTION_DAYS}d",
            help="Age in the trash, like 30d, 12h, 90m (default: TRASH_RETENTION_DAYS days).",
        )

    def handle(self, *args, **options):
        try:
            age = parse_age(options["older_than"])
        except ValueError as error:
            raise CommandError(f"--older-than: {error}") from None
        quiet = options["verbosity"] < 1
        purged = trash.purge_trash(
            age, progress=lambda ids: tqdm(ids, desc="purging", unit="post", disable=quiet or not ids)
        )
        self.stdout.write(f"Purged {purged} posts that were in the trash for more than {options['older_than']}.")
