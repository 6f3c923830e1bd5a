"""Store the daily LLM figures of closed days (see llm.metrics_daily)."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from llm import metrics_daily
from llm.models import LLMLog


class Command(BaseCommand):
    help = (
        "Store the LLM metrics of each closed day that has none yet (the metrics page does it on demand too); "
        "--rebuild makes them again from the logs."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, help="Only the last N days (default: every day with logs).")
        parser.add_argument(
            "--rebuild",
            action="store_true",
            help="Count the days again from the logs still kept (after importing old logs or changing TIME_ZONE).",
        )

    def handle(self, *args, days, rebuild, **options):
        today = timezone.localdate()
        if days is not None:
            if not 1 <= days <= 36_500:
                raise CommandError("--days must be a whole number from 1 to 36500.")
            start = today - timedelta(days=days)
        else:
            oldest = LLMLog.objects.order_by("created_at").values_list("created_at", flat=True).first()
            if oldest is None:
                self.stdout.write("No LLM logs: nothing to roll up.")
                return
            start = timezone.localdate(oldest)
        stored = metrics_daily.roll_up(start, today, rebuild=rebuild)
        self.stdout.write(self.style.SUCCESS(f"Stored the figures of {stored} day(s) from {start} to {today}."))
