from django.core.management.base import BaseCommand
from tqdm import tqdm

from content.editorial import scheduling


class Command(BaseCommand):
    help = "Publish every post whose scheduled time (publish_at) has come. Safe to run every minute from cron."

    def handle(self, *args, **options):
        due: list[int] = []

        def progress(ids: list[int]):
            due.extend(ids)
            return tqdm(ids, desc="publishing", unit="post", disable=not ids or options["verbosity"] < 1)

        published = scheduling.publish_due_posts(progress=progress)
        self.stdout.write(f"Published {len(published)} of {len(due)} due posts.")
