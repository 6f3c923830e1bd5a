"""Readers' pages byte for byte as they were: golden files of the post pages, taken from the code before the
post page was made faster (issue 18), and compared on every run.

Each page is fetched twice: once with every section's and introduction's stored HTML in place, once with
none (rendered on the fly), and both must equal the golden file. The data is fixed (dates, image paths,
tag slugs), so the files do not depend on the day or on the order of the tests.

``GOLDEN_UPDATE=1 pytest content/tests/site/test_golden_pages.py`` writes the files anew: only for a change
readers are meant to see, and the diff of the files then shows what they see.
"""

import os
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client

from content import stored_html
from content.models import IntroHtml, Post, PostSection, SectionHtml, SectionType, Tag
from content.tests.factories import PostFactory, SectionFactory, TagFactory
from content.tests.site import hostile_content
from media_library.models import Image
from media_library.tests.factories import ImageFactory

pytestmark = pytest.mark.django_db

GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("GOLDEN_UPDATE") == "1"
PUBLISHED = datetime(2026, 3, 14, 9, 26, 53, tzinfo=UTC)

WORDS = [
    "harbour",
    "light",
    "morning",
    "river",
    "stone",
    "garden",
    "winter",
    "coffee",
    "train",
    "city",
    "forest",
    "music",
    "paper",
    "window",
    "bridge",
    "letter",
    "summer",
    "north",
    "quiet",
    "road",
    "story",
    "island",
    "market",
    "lamp",
    "table",
    "field",
    "cloud",
    "station",
    "bread",
    "mountain",
]
VIDEOS = (
    "https://www.youtube.com/watch?v=aqz-KE-bpKQ",
    "https://youtu.be/dQw4w9WgXcQ",
    "https://vimeo.com/76979871",
    "https://example.org/clips/a walk.mp4",
    "https://example.org/not-a-video",
)
AUDIOS = ("https://example.org/audio/episode.mp3", "/media/audio/local.ogg", "javascript:alert(1)")


@pytest.fixture(autouse=True)
def _uncached(settings):
    settings.PUBLIC_CACHE_SECONDS = 0
    settings.SITE_NAME, settings.SITE_URL, settings.MEDIA_URL = "The Blog", "http://127.0.0.1:8000", "/media/"
    cache.clear()


def _sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize()


def _markdown(rng: random.Random, number: int) -> str:
    """Markdown of every kind a section holds: paragraphs, lists, links, code, a table, a footnote, a heading."""
    parts = [_sentence(rng, rng.randint(20, 50)) + "."]
    kind = number % 6
    if kind == 0:
        parts.append(f"- **{rng.choice(WORDS)}** and *{rng.choice(WORDS)}*\n- [a link](https://example.org/{number})")
    elif kind == 1:
        parts.append(f"## A heading in section {number}\n\n1. one\n2. two & three < four")
    elif kind == 2:
        parts.append('```python\nprint("<b>not bold</b>")\n```')
    elif kind == 3:
        parts.append("| a | b |\n|---|---|\n| 1 | 2 |")
    elif kind == 4:
        parts.append(f"A note[^1] and `code`.\n\n[^1]: The note of section {number}.")
    else:
        parts.append("- [ ] a task\n- [x] a done task\n\n> A quote with an <https://example.org/auto> link.")
    parts.append(_sentence(rng, rng.randint(10, 30)) + ".")
    return "\n\n".join(parts)


def generated_post(sections: int, slug: str) -> Post:
    """A published post with ``sections`` sections of every type, tags and images, from a fixed random seed."""
    rng = random.Random(sections)
    tags = [
        Tag.objects.create(name=name, slug=f"{slug}-{n}")
        for n, name in enumerate(["Zebra crossings", "apples & pears", "Ünïcode", "<b>markup</b>", "harbour"])
    ]
    post = Post.objects.create(
        title=f"A generated post with {sections} sections & <b>markup</b>",
        subtitle="Every section type, tags and images",
        slug=slug,
        summary="A **summary** with [a link](https://example.org) that readers and search engines see.",
        content=_markdown(rng, 1),
        published=True,
        published_at=PUBLISHED,
    )
    post.tags.add(*tags)
    rows = []
    for position in range(1, sections + 1):
        kind = position % 10
        title = "" if position % 7 == 0 else ("Repeated title" if position % 5 == 0 else _sentence(rng, 3))
        section = PostSection(
            post=post,
            position=position,
            title=title,
            subtitle=_sentence(rng, 4) if position % 4 == 0 else "",
            keywords=[rng.choice(WORDS)],
        )
        if kind in (1, 2):
            metadata = {"width": 1200, "height": 800, "format": "JPEG"}
            if kind == 1:
                metadata["renditions"] = {"480": f"images/golden/{slug}-{position}-480w.webp", "960": "x-960w.webp"}
            section.content_type = SectionType.IMAGE
            section.image = Image.objects.create(
                filename=f"images/golden/{slug}-{position}.jpg",
                original_filename=f"photo {position}.jpg",
                path=f"images/golden/{slug}-{position}.jpg",
                alt_text=f"Photograph {position} of the {rng.choice(WORDS)}" if position % 3 else "",
                caption=_sentence(rng, 6) if position % 2 else "",
                image_metadata=metadata,
                watermarked=position % 4 == 1,
                watermarked_path=f"images/golden/{slug}-{position}-wm.jpg" if position % 4 == 1 else None,
            )
            section.content = _markdown(rng, position) if position % 3 == 0 else ""
        elif kind == 3:
            section.content_type = SectionType.VIDEO
            section.video_url = VIDEOS[position // 10 % len(VIDEOS)]
            section.duration = rng.choice([None, 0, 59, 3725])
            section.content = "A *caption* for the video." if position % 2 else ""
        elif kind == 4:
            section.content_type = SectionType.AUDIO
            section.audio_url = AUDIOS[position % len(AUDIOS)]
            section.duration = rng.choice([None, 0, 1800])
            section.content = _markdown(rng, position) if position % 3 else ""
        else:
            section.content_type = SectionType.TEXT
            section.content = _markdown(rng, position)
        if position == 1:
            section.social_media_snippets = {"description": "A *social* description", "twitter": "For <b>X</b>"}
        rows.append(section)
    PostSection.objects.bulk_create(rows)
    return post


def fix_dates_and_media() -> None:
    """What would otherwise change with the day a test runs on: dates, and image paths made from them."""
    Post.objects.update(published_at=PUBLISHED, updated_at=PUBLISHED + timedelta(days=1), created_at=PUBLISHED)
    Post.objects.filter(published=False).update(published_at=None)
    for number, image in enumerate(Image.objects.exclude(path__startswith="images/golden/").order_by("pk")):
        if not image.path.name.startswith("demo/"):
            Image.objects.filter(pk=image.pk).update(path=f"images/golden/image-{number}.png")


def hostile_posts() -> dict[str, str]:
    for factory in (ImageFactory, PostFactory, SectionFactory, TagFactory):
        factory.reset_sequence(0)
    pages = hostile_content.build()
    names = ("hostile post", "post without title or text", "post with string snippets", "listed post")
    return {name.replace(" ", "-"): pages[name] for name in names} | {"hostile-draft-preview": pages["draft preview"]}


def check_pages(pages: dict[str, str], prefix: str, staff_client) -> None:
    """Each page with all stored HTML in place, then with none, against its golden file."""
    fix_dates_and_media()
    mismatches = []
    for stored in (True, False):
        if stored:
            stored_html.store_for_posts(Post.objects.values_list("pk", flat=True))
        else:
            SectionHtml.objects.all().delete()
            IntroHtml.objects.all().delete()
        reader = Client()
        for name, path in pages.items():
            response = (staff_client if name.endswith("preview") else reader).get(path)
            assert response.status_code == 200, (name, path, response.status_code)
            golden = GOLDEN / f"{prefix}-{name}.html"
            if UPDATE and stored:
                GOLDEN.mkdir(exist_ok=True)
                golden.write_bytes(response.content)
            elif response.content != golden.read_bytes():
                mismatches.append(f"{golden.name} ({'stored' if stored else 'rendered'} HTML)")
    assert not mismatches, "Pages differ from their golden files: " + ", ".join(mismatches)


def test_demo_pages_are_unchanged(staff_client, settings):
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    pages = {post.slug: post.get_absolute_url() for post in Post.objects.filter(published=True)}
    pages["index"] = "/"
    pages["tag"] = f"/tags/{Tag.objects.order_by('slug').first().slug}/"
    draft = Post.objects.filter(published=False).first()
    pages["draft-preview"] = draft.get_absolute_url()
    check_pages(pages, "demo", staff_client)


@pytest.mark.parametrize("sections", [20, 200])
def test_generated_post_pages_are_unchanged(staff_client, sections):
    post = generated_post(sections, f"generated-{sections}")
    check_pages({f"{sections}-sections": post.get_absolute_url()}, "generated", staff_client)


def test_hostile_post_pages_are_unchanged(staff_client):
    check_pages(hostile_posts(), "hostile", staff_client)
