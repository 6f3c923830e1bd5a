from django.core.management.base import BaseCommand

from common.ages import add_older_than, older_than
from content.editorial import autosaves


class Command(BaseCommand):
    help = "Remove editors' autosaves older than --older-than (default 30d): unsaved forms nobody came back to."

    def add_arguments(self, parser):
        add_older_than(parser, default="30d", what="Age of the autosave")

    def handle(self, *args, **options):
        removed = autosaves.purge(older_than(options))
        self.stdout.write(f"Removed {removed} autosaves older than {options['older_than']}.")
