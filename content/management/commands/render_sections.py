from itertools import batched

from django.core.management.base import BaseCommand
from tqdm import tqdm

from content import section_html
from content.models import Post

POSTS_PER_BATCH = 100


class Command(BaseCommand):
    help = (
        "Render and store the HTML of every section whose stored HTML is missing or stale (after a "
        "deploy that changed section templates, a restore, a bulk import or raw SQL). Pages are right "
        "without it, only slower. One transaction per batch of posts; safe to interrupt and run again."
    )

    def handle(self, *args, **options):
        post_ids = list(Post.objects.order_by("pk").values_list("pk", flat=True))
        stored = 0
        with tqdm(total=len(post_ids), unit="post", disable=options["verbosity"] == 0) as progress:
            for batch in batched(post_ids, POSTS_PER_BATCH):
                stored += section_html.store_for_posts(batch)
                progress.update(len(batch))
        self.stdout.write(f"Stored the HTML of {stored} section(s) of {len(post_ids)} post(s).")
