from django.core.management.base import BaseCommand
from tqdm import tqdm

from content.editorial import publishing, scheduling


class Command(BaseCommand):
    help = (
        "Publish every post, and every post's unpublished changes, whose scheduled time has come. "
        "Safe to run every minute from cron."
    )

    def handle(self, *args, **options):
        due: list[int] = []

        def progress(ids: list[int]):
            due.extend(ids)
            return tqdm(ids, desc="publishing", unit="post", disable=not ids or options["verbosity"] < 1)

        published = scheduling.publish_due_posts(progress=progress)
        self.stdout.write(f"Published {len(published)} of {len(due)} due posts.")
        changed = publishing.publish_due_changes()
        if changed:
            self.stdout.write(f"Published the scheduled changes of {len(changed)} posts.")
