from itertools import batched

from django.core.management.base import BaseCommand
from tqdm import tqdm

from content import stored_html
from content.models import Post

POSTS_PER_BATCH = 100


class Command(BaseCommand):
    help = (
        "Render and store the HTML of posts' introductions and sections where it is missing or stale "
        "(after a deploy that changed section templates, a restore, a bulk import or raw SQL). Pages are "
        "right without it, only slower. One transaction per batch of posts; safe to interrupt and rerun."
    )

    def handle(self, *args, **options):
        post_ids = list(Post.objects.order_by("pk").values_list("pk", flat=True))
        stored = 0
        with tqdm(total=len(post_ids), unit="post", disable=options["verbosity"] == 0) as progress:
            for batch in batched(post_ids, POSTS_PER_BATCH):
                stored += stored_html.store_for_posts(batch)
                progress.update(len(batch))
        self.stdout.write(f"Stored {stored} piece(s) of HTML (introductions and sections) of {len(post_ids)} post(s).")
