"""Editors at work, for `make bench`: saves a draft every second and publishes a change to a live post every 10 s.

Run by bench/pages.py (``editors_at_work``) next to the server it measures, with the server's environment;
stopped with SIGTERM, it prints one line ``WRITES_JSON {...}``: how many saves of each kind it made, their
median time and the CPU time it used. Both go through the one save service, as the admin does: the draft's
save writes its summary and a section (what readers never see), the live post's goes down the publishing path
(what readers see at once). The live post is the newest one that is not ``--spare`` (the page being measured),
so its change reaches the index, its tags' pages, the feeds and the sitemap, but never the measured page.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[1]
DRAFT_SLUG = "bench-editors-draft"


def setup_django() -> None:
    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "blog_project.settings")
    import django

    django.setup()


def the_draft():
    from content.editorial import services
    from content.models import Post, PostSection

    draft = Post.objects.filter(slug=DRAFT_SLUG).first()
    if draft is None:
        draft = Post(title="A draft the bench's editor keeps saving", slug=DRAFT_SLUG, published=False)
        section = PostSection(title="Notes", content="Words nobody reads yet.", position=1)
        services.save_post(draft, None, comment="Bench draft.", sections=services.SectionChanges(saved=[section]))
    return draft


def save_draft(number: int) -> None:
    from content.editorial import services
    from content.models import Post

    draft = Post.objects.get(slug=DRAFT_SLUG)
    draft.summary = f"Draft saved {number} times."
    section = draft.sections.order_by("position").first()
    section.content = f"Words nobody reads yet, take {number}."
    services.save_post(
        draft, None, comment="Saved.", update_fields=["summary"], sections=services.SectionChanges(saved=[section])
    )


def publish_change(post_id: int, number: int) -> None:
    from content.editorial import services
    from content.models import Post

    post = Post.objects.get(pk=post_id)
    post.summary = f"A live post, changed {number} times while readers read."
    services.save_post(post, None, comment="Published a change.", update_fields=["summary"], live=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spare", required=True, help="slug of the live post whose page is measured")
    parser.add_argument("--draft-every", type=float, default=1.0)
    parser.add_argument("--live-every", type=float, default=10.0)
    args = parser.parse_args()
    setup_django()
    from content.models import Post

    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    the_draft()
    live_id = (
        Post.objects.live().exclude(slug=args.spare).order_by("-published_at", "-id").values_list("pk", flat=True)[0]
    )
    times: dict[str, list[float]] = {"draft": [], "live": []}
    started = time.monotonic()
    next_draft, next_live = started, started + args.live_every / 2
    print("WRITER_READY", flush=True)
    while not stopping:
        now = time.monotonic()
        kind = "draft" if next_draft <= next_live else "live"
        due = min(next_draft, next_live)
        if due > now:
            time.sleep(min(due - now, 0.1))
            continue
        began = time.perf_counter()
        if kind == "draft":
            save_draft(len(times["draft"]) + 1)
            next_draft += args.draft_every
        else:
            publish_change(live_id, len(times["live"]) + 1)
            next_live += args.live_every
        times[kind].append((time.perf_counter() - began) * 1000)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    report = {f"{kind}_saves": len(values) for kind, values in times.items()}
    report |= {
        f"{kind}_median_ms": round(statistics.median(values), 1) if values else None for kind, values in times.items()
    }
    # The CPU these saves took from the machine the server runs on (PostgreSQL's share not counted).
    report["writer_cpu_s"] = round(usage.ru_utime + usage.ru_stime, 1)
    report["seconds"] = round(time.monotonic() - started, 1)
    print("WRITES_JSON " + json.dumps(report), flush=True)


if __name__ == "__main__":
    main()
