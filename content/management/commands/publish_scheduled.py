from django.core.management.base import BaseCommand
from tqdm import tqdm

from content.editorial import workflow_services


class Command(BaseCommand):
    help = "Publish every post whose scheduled time (publish_at) has come. Safe to run every minute from cron."

    def handle(self, *args, **options):
        due = workflow_services.due_post_ids()
        published = [
            pk
            for pk in tqdm(due, desc="publishing", unit="post", disable=not due or options["verbosity"] < 1)
            if workflow_services.publish_scheduled_post(pk)
        ]
        self.stdout.write(f"Published {len(published)} of {len(due)} due posts.")
