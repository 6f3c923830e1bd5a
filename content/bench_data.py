"""A realistic, generated data set for benchmarks, written with COPY for speed.

Posts have 5 to 40 sections of every content type, tags, images, LLM interactions and
logs; the last post of each run has ``LONG_POST_SECTIONS`` (the benchmark's ``post_page_200``).
Rows get explicit ids above the current maximum so the generator can link them
without reading back, and the identity sequences are moved past them at the end.
"""

from __future__ import annotations

import functools
import itertools
import json
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import connection, transaction
from django.db.models import Count

from content.editorial import workflow
from content.models import Post, PostSection, Tag

# The most frequent words of the generated text; the rest of the vocabulary is made-up words.
COMMON_WORDS = (
    "harbour", "light", "morning", "river", "stone", "garden", "winter", "coffee", "train", "city",
    "forest", "music", "paper", "window", "bridge", "letter", "summer", "north", "quiet", "road",
    "story", "island", "market", "lamp", "table", "field", "cloud", "station", "bread", "mountain",
)  # fmt: skip
SYLLABLES = (
    "ka", "lo", "mi", "ren", "tor", "sa", "vel", "din", "ur", "pha", "gri", "mon", "tes", "lia", "bro",
    "quen", "fa", "zor", "nel", "thi", "ab", "cor", "em", "jun", "pol", "rab", "sik", "ta", "vo", "wen",
)  # fmt: skip
VOCABULARY_SIZE = 20_000
ZIPF_EXPONENT = 1.0
LONG_POST_SECTIONS = 200  # the most sections a post may have
VIDEO_URLS = ("https://www.youtube.com/watch?v=aqz-KE-bpKQ", "https://vimeo.com/76979871")


@dataclass
class SeedReport:
    posts: int = 0
    sections: int = 0
    tags: int = 0
    images: int = 0
    interactions: int = 0
    logs: int = 0


def _next_id(cursor, table: str) -> int:
    cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")
    return cursor.fetchone()[0]


def _move_sequence(cursor, table: str) -> None:
    cursor.execute(
        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT COALESCE(MAX(id), 1) FROM {table}))"
    )


def _copy(cursor, table: str, columns: tuple[str, ...], rows: Iterator[tuple]) -> int:
    count = 0
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


@functools.cache
def vocabulary() -> tuple[str, ...]:
    """Words by rank: the common words first, then made-up words of two to four syllables."""
    rng = random.Random(0)
    words = dict.fromkeys(COMMON_WORDS)
    while len(words) < VOCABULARY_SIZE:
        words["".join(rng.choices(SYLLABLES, k=rng.randint(2, 4)))] = None
    return tuple(words)


@functools.cache
def _zipf_weights() -> list[float]:
    """Cumulative weights of Zipf's law: the word of rank r is used in proportion to 1 / r^s, as in real text."""
    return list(itertools.accumulate(1 / rank**ZIPF_EXPONENT for rank in range(1, VOCABULARY_SIZE + 1)))


def _words(rng: random.Random, count: int) -> list[str]:
    return rng.choices(vocabulary(), cum_weights=_zipf_weights(), k=count)


def _sentence(rng: random.Random, words: int) -> str:
    return " ".join(_words(rng, words)).capitalize()


def _markdown(rng: random.Random) -> str:
    paragraphs = [_sentence(rng, rng.randint(25, 60)) + "." for _ in range(rng.randint(2, 4))]
    strong, emphasis = _words(rng, 2)
    paragraphs.insert(1, f"- **{strong}** and *{emphasis}*\n- [a link](https://example.org/)")
    return "\n\n".join(paragraphs)


@functools.cache
def _published_stage_data() -> str:
    """The workflow of a post taken through every stage and published, as the admin would leave it."""
    state = workflow.read_state("publishing", {})
    for stage in state.stages:
        for sub in stage.substages:
            sub.status = workflow.Status.DONE
    state.substage("schedule").status = workflow.Status.SKIPPED
    state.substage("social").status = workflow.Status.PENDING
    return json.dumps(workflow.dump_state(state))


@transaction.atomic
def seed(
    posts: int,
    *,
    seed_value: int = 1,
    sections_range: tuple[int, int] = (5, 40),
    long_posts: int = 1,
    tags_per_post: int = 5,
    progress: Callable[[str, int], None] = lambda step, count: None,
) -> SeedReport:
    """Insert ``posts`` published posts with sections, tags, images and LLM records; the last ``long_posts`` of
    them (the oldest) have ``LONG_POST_SECTIONS`` sections each."""
    rng = random.Random(seed_value)
    report = SeedReport()
    now = datetime.now(UTC)
    raw = connection.cursor().cursor  # psycopg cursor, for COPY
    tag_start = _next_id(raw, "tag")
    image_start = _next_id(raw, "image")
    post_start = _next_id(raw, "post")
    section_start = _next_id(raw, "post_section")
    interaction_start = _next_id(raw, "llm_interaction")
    tag_count = max(20, posts // 50)
    image_count = max(20, posts // 5)
    run = f"{seed_value}-{post_start}"

    report.tags = _copy(
        raw,
        "tag",
        ("id", "name", "slug"),
        ((tag_start + n, f"bench {run} {n}", f"bench-{run}-{n}") for n in range(tag_count)),
    )
    progress("tags", report.tags)
    report.images = _copy(
        raw,
        "image",
        ("id", "filename", "original_filename", "path", "alt_text", "caption", "image_metadata", "watermarked"),
        (
            (
                image_start + n,
                f"bench/{run}/image-{n}.png",
                f"photo {n}.png",
                "demo/harbour-at-dawn.png",
                f"A generated photograph, number {n}",
                _sentence(rng, 8),
                json.dumps({"width": 640, "height": 400, "format": "PNG"}),
                False,
            )
            for n in range(image_count)
        ),
    )
    progress("images", report.images)

    post_columns = (
        "id", "title", "subtitle", "slug", "content", "summary", "published", "created_at", "updated_at",
        "published_at", "workflow_stage", "stage_data", "version",
    )  # fmt: skip

    stage_data = _published_stage_data()

    def post_rows():
        for n in range(posts):
            title = f"{_sentence(rng, rng.randint(3, 8))} {n}"
            created = now - timedelta(minutes=n * 7 + 60)
            yield (
                post_start + n, title, _sentence(rng, 6), f"bench-{run}-{n}", _markdown(rng),
                _sentence(rng, 30)[:480] + ".", True, created, created, created, "publishing", stage_data, 1,
            )  # fmt: skip

    report.posts = _copy(raw, "post", post_columns, post_rows())
    progress("posts", report.posts)

    section_columns = (
        "id", "post_id", "title", "subtitle", "content", "position", "image_id", "video_url", "audio_url",
        "content_type", "duration", "keywords", "created_at", "updated_at",
    )  # fmt: skip
    kinds = ("text",) * 6 + ("image",) * 2 + ("video", "audio")

    def section_rows():
        section_id = section_start
        for n in range(posts):
            count = LONG_POST_SECTIONS if n >= posts - long_posts else rng.randint(*sections_range)
            for position in range(1, count + 1):
                kind = rng.choice(kinds)
                yield (
                    section_id,
                    post_start + n,
                    _sentence(rng, 4),
                    None,
                    _markdown(rng) if kind == "text" else "",
                    position,
                    image_start + rng.randrange(image_count) if kind == "image" else None,
                    rng.choice(VIDEO_URLS) if kind == "video" else None,
                    "https://example.org/audio/episode.mp3" if kind == "audio" else None,
                    kind,
                    rng.randint(30, 3600) if kind in ("video", "audio") else None,
                    json.dumps(_words(rng, 4)),
                    now,
                    now,
                )
                section_id += 1

    report.sections = _copy(raw, "post_section", section_columns, section_rows())
    progress("sections", report.sections)

    def tag_rows():
        for n in range(posts):
            for tag in rng.sample(range(tag_count), min(tags_per_post, tag_count)):
                yield (post_start + n, tag_start + tag)

    _copy(raw, "post_tags", ("post_id", "tag_id"), tag_rows())
    progress("post tags", posts * tags_per_post)

    def interaction_rows():
        for n in range(posts * 2):
            ok = rng.random() > 0.1
            prompt_tokens, completion_tokens = rng.randint(200, 2000), rng.randint(20, 400)
            yield (
                interaction_start + n, post_start + n // 2, "Summarise this post…", "A summary." if ok else "",
                "gpt-4o-mini", "{}", prompt_tokens + completion_tokens, rng.uniform(0.3, 6.0),
                now - timedelta(minutes=n), "success" if ok else "error", prompt_tokens, completion_tokens,
                round(prompt_tokens * 1.5e-7 + completion_tokens * 6e-7, 6), "" if ok else "rate_limit",
                "" if ok else "Rate limited", "",
            )  # fmt: skip

    interaction_columns = (
        "id", "post_id", "input_text", "output_text", "model_used", "parameters", "tokens_used", "duration",
        "created_at", "status", "prompt_tokens", "completion_tokens", "cost", "error_category", "error_message",
        "task_id",
    )  # fmt: skip
    report.interactions = _copy(raw, "llm_interaction", interaction_columns, interaction_rows())
    progress("LLM interactions", report.interactions)

    def log_rows():
        for n in range(report.interactions):
            yield (
                interaction_start + n, "post_summary", 1, "{}", "{}", now - timedelta(minutes=n),
                rng.uniform(0.3, 6.0), "gpt-4o-mini", "", "{}", "success", "", "", "", "", "{}", "", now,
            )  # fmt: skip

    log_columns = (
        "interaction_id", "operation", "attempt", "request_parameters", "response_data", "started_at", "duration",
        "model", "model_version", "configuration", "status", "error_class", "error_category", "message",
        "stack_trace", "context", "recovery_action", "created_at",
    )  # fmt: skip
    report.logs = _copy(raw, "llm_log", log_columns, log_rows())
    progress("LLM logs", report.logs)

    for table in ("tag", "image", "post", "post_section", "llm_interaction"):
        _move_sequence(raw, table)
    raw.execute("ANALYZE")
    return report


def post_with_sections(count: int):
    """A live post with exactly ``count`` sections, made once per bench database."""
    slug = f"bench-{count}-sections"
    post = Post.objects.filter(slug=slug).first()
    if post is None:
        post = Post.objects.create(title=f"Bench post with {count} sections", slug=slug, content="", published=True)
        PostSection.objects.bulk_create(
            PostSection(post=post, position=n, title=f"Section {n}", content=f"Paragraph *{n}*.")
            for n in range(1, count + 1)
        )
    return post


# Vocabulary ranks of the words `make bench` searches for, from a word in half the posts to a rare one
# (about 17%, 45%, 4% and 16% of the posts match; the last one's two words share a section in 2%).
# The load run uses the first.
SEARCH_QUERY_RANKS = ((1000,), (300,), (5000,), (150, 800))


def search_queries() -> list[str]:
    """What readers search for: topic words, not the words every post contains."""
    words = vocabulary()
    return [" ".join(words[rank - 1] for rank in ranks) for ranks in SEARCH_QUERY_RANKS]


def long_post_of_bench() -> Post | None:
    """A live post with ``LONG_POST_SECTIONS`` sections (of every type) and 5 tags, as ``seed`` makes them."""
    return (
        Post.objects.live()
        .annotate(n=Count("sections", distinct=True), t=Count("tags", distinct=True))
        .filter(n=LONG_POST_SECTIONS, t=5)
        .order_by("pk")
        .first()
    )


def bench_paths() -> None:
    """Print the paths `make bench` drives, as JSON (run through manage.py shell)."""
    post = (
        Post.objects.live()
        .annotate(n=Count("sections", distinct=True), t=Count("tags", distinct=True))
        .filter(n=20, t=5)
        .first()
    )
    long_post = long_post_of_bench()
    tag = Tag.objects.annotate(n=Count("tagged_posts")).order_by("-n").first()
    pages = {
        "floor": ["/_bench/floor/"],
        "index": ["/"],
        "post_page": [post.get_absolute_url()],
        "post_page_200": [long_post.get_absolute_url()],
        "tag_page": [f"/tags/{tag.slug}/"],
        "search": [f"/search/?q={query.replace(' ', '+')}" for query in search_queries()],
        "feed": ["/feed/"],
    }
    load = [paths[0] for name, paths in pages.items() if name != "floor"]  # one of each page
    print(json.dumps({"pages": pages, "load": load}))
