import time

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from content import bench_data


class Command(BaseCommand):
    help = "Generate a realistic benchmark data set (posts with 5-40 sections, tags, images, LLM records)."

    def add_arguments(self, parser):
        parser.add_argument("--posts", type=int, default=1000, help="How many posts to add (default 1000).")
        parser.add_argument("--seed", type=int, default=1, help="Random seed, for a repeatable data set.")

    def handle(self, *args, posts, seed: int, **options):
        if posts < 1:
            raise CommandError("--posts must be at least 1.")
        started = time.perf_counter()
        with tqdm(total=7, unit="step", disable=options["verbosity"] < 1) as bar:

            def progress(step, count):
                bar.set_postfix_str(f"{step}: {count:,}")
                bar.update(1)

            report = bench_data.seed(posts, seed_value=seed, progress=progress)
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Added {report.posts:,} posts, {report.sections:,} sections, {report.tags:,} tags, "
                f"{report.images:,} images, {report.interactions:,} interactions, {report.logs:,} logs "
                f"in {elapsed:.1f} s."
            )
        )
