"""What a cached page shows, and the version of it that the page's cache key names.

PostgreSQL keeps one generation per post readers see (table ``post_generation``, migration
``content/0012_post_generations``), raised in the writing transaction whenever something readers
see of that post changes. A page's *version* is made of the generations of the posts it shows:

- a post page (``PostPage``): its post's id and generation. A slug no published post has (a draft,
  an old address that redirects, a typo) has no version: such a page is never cached.
- a list (``PostList``: an index page, a tag page, a feed, the sitemap): which page of how many it
  is, the ids and generations of its posts, and when the next scheduled post among its candidates
  goes live, so that a post appears at its time though no row changes.

A change to one post thus changes its page and the lists that show it, nothing else; a change no
reader sees (a draft, a working copy, an unused image) changes no version at all.

The version is worked out in one of two ways that always agree (``content/tests/site/test_invalidation.py``):
from a ``ContentState``, this process's copy of every visible post's row, kept by the content-state
watcher (``content/site/content_state.py``) at no query per request; or by asking PostgreSQL for this
one page (``database_version``, one query), when the watcher cannot answer.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_left
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from math import ceil
from typing import NamedTuple

from django.conf import settings
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import connection

# A version a list cannot have from this state: a scheduled post is due, ask the database.
DUE = "due"
_MEMO_LIMIT = 4096  # list versions remembered per state (real pages; not an attacker's page or tag numbers)


class PostRow(NamedTuple):
    """What readers see of a published post, as ``post_generation`` holds it."""

    post_id: int
    slug: str
    published_at: datetime | None
    tags: tuple[str, ...]
    generation: int


@dataclass(frozen=True, slots=True)
class PostPage:
    """The page of the post with ``slug``."""

    slug: str


@dataclass(frozen=True, slots=True)
class PostList:
    """One page of the live posts, newest first (those tagged ``tag``), ``per_page`` a page (None: all).

    ``requested`` is the page number asked for, read as ``Paginator.get_page`` reads it: 1 when not a
    number, 0 when below 1 (it gives the last page).
    """

    tag: str | None
    per_page: int | None
    requested: int = 1


Shows = PostPage | PostList

# More pages than any list has; a number past it is read as past the end (the last page), and fits a bigint.
_UNBOUNDED = Paginator(range(2**62), 1)


def requested_page(value: str | None) -> int:
    """The page a reader asked for (``?page=``), as ``Paginator.get_page`` reads it (see ``PostList``)."""
    try:
        return _UNBOUNDED.validate_number(value)
    except PageNotAnInteger:
        return 1
    except EmptyPage:  # below 1, or past any page there can be: the last page either way
        return 0


def post_page(request, slug: str, **kwargs) -> PostPage:
    return PostPage(slug)


def post_list(request, slug: str | None = None, **kwargs) -> PostList:
    """The index page or tag page (``slug``) a request asks for."""
    return PostList(slug, settings.POSTS_PER_PAGE, requested_page(request.GET.get("page")))


def all_posts(request, **kwargs) -> PostList:
    """Every live post (the sitemap)."""
    return PostList(None, None)


def post_version(post_id: int, generation: int) -> str:
    return f"post:{post_id}:{generation}"


def list_version(number: int, num_pages: int, next_change: datetime | None, posts) -> str:
    """``posts``: (id, generation) pairs of the page's posts, in order."""
    digest = hashlib.blake2b(",".join(f"{pk}:{generation}" for pk, generation in posts).encode(), digest_size=16)
    due = next_change.timestamp() if next_change is not None else ""
    return f"list:{number}/{num_pages}:{due}:{digest.hexdigest()}"


def _page_bounds(total: int, shows: PostList) -> tuple[int, int, int, int]:
    """(page number, number of pages, first index, end index) of ``shows`` among ``total`` posts: Paginator's rules."""
    if shows.per_page is None:
        return 1, 1, 0, total
    num_pages = ceil(max(total, 1) / shows.per_page)
    number = shows.requested if 1 <= shows.requested <= num_pages else num_pages
    start = (number - 1) * shows.per_page
    return number, num_pages, start, min(start + shows.per_page, total)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def _key(row: PostRow) -> tuple:
    """Ascending in the lists' order, newest first: ``ORDER BY published_at DESC, id DESC``, NULLs first as in
    PostgreSQL (exact integers, so that equal times compare equal)."""
    if row.published_at is None:
        return (0, 0, -row.post_id)
    return (1, -((row.published_at - _EPOCH) // _MICROSECOND), -row.post_id)


class _Sorted:
    """Rows in the lists' order with their keys, for bisection. Copied, never changed, once a state holds it."""

    __slots__ = ("keys", "rows")

    def __init__(self, keys: list[tuple], rows: list[PostRow]) -> None:
        self.keys, self.rows = keys, rows

    @classmethod
    def of(cls, rows) -> _Sorted:
        pairs = sorted((_key(row), row) for row in rows)
        return cls([key for key, _ in pairs], [row for _, row in pairs])

    def copy(self) -> _Sorted:
        return _Sorted(list(self.keys), list(self.rows))

    def insert(self, row: PostRow) -> None:
        key = _key(row)
        at = bisect_left(self.keys, key)
        self.keys.insert(at, key)
        self.rows.insert(at, row)

    def remove(self, row: PostRow) -> None:
        at = bisect_left(self.keys, _key(row))
        del self.keys[at], self.rows[at]

    def _bounds(self, read_at: datetime) -> tuple[int, int]:
        """Where the rows without a publication time end, and where those published by ``read_at`` begin."""
        return bisect_left(self.keys, (1,)), bisect_left(self.keys, (1, -((read_at - _EPOCH) // _MICROSECOND)))

    def live(self, read_at: datetime) -> list[PostRow]:
        """The rows live at ``read_at`` (PostQuerySet.live()): no publication time, or one reached."""
        undated, published = self._bounds(read_at)
        return self.rows[:undated] + self.rows[published:] if undated else self.rows[published:]

    def next_change(self, read_at: datetime) -> datetime | None:
        """The first publication time after ``read_at``."""
        undated, published = self._bounds(read_at)
        return self.rows[published - 1].published_at if published > undated else None


class ContentState:
    """Every visible post's row (published and not in the trash, scheduled ones included) as read at ``read_at``,
    the database's time, and the first time after it that a scheduled post goes live (``next_change``).

    Immutable once made. A reading of the few rows that changed makes a new state from the previous one in time
    proportional to those rows (lists are copied, never sorted again); each list's live posts and versions are
    worked out on first use and kept with the state.
    """

    def __init__(
        self,
        rows: dict[int, PostRow],
        read_at: datetime,
        next_change: datetime | None,
        by_slug: dict[str, PostRow],
        visible: _Sorted,
        tagged: dict[str, _Sorted],
    ) -> None:
        self.rows, self.read_at, self.next_change = rows, read_at, next_change
        self.by_slug, self._visible, self._tagged = by_slug, visible, tagged
        self.live = visible.live(read_at)
        self._tag_live: dict[str, list[PostRow]] = {}
        self._versions: dict[tuple, str] = {}

    @classmethod
    def from_rows(cls, rows: list[tuple], read_at: datetime, next_change: datetime | None) -> ContentState:
        """A state from ``post_generations()`` rows (those not visible are left out)."""
        by_id = {
            post_id: PostRow(post_id, slug, published_at, tuple(tags), generation)
            for post_id, slug, visible, published_at, tags, generation in rows
            if visible
        }
        visible = _Sorted.of(by_id.values())
        tagged: dict[str, _Sorted] = {}
        for key, row in zip(visible.keys, visible.rows, strict=True):  # in order: each tag's list grows in order
            for tag in row.tags:
                if (in_tag := tagged.get(tag)) is None:
                    in_tag = tagged[tag] = _Sorted([], [])
                in_tag.keys.append(key)
                in_tag.rows.append(row)
        by_slug: dict[str, PostRow] = {}
        for row in by_id.values():
            _hold_slug(by_slug, row)
        return cls(by_id, read_at, next_change, by_slug, visible, tagged)

    def with_changes(self, changes: list[tuple], read_at: datetime, next_change: datetime | None) -> ContentState:
        """This state with ``post_generations()`` rows read since (a row not visible any more: its post is gone)."""
        rows, by_slug, visible = dict(self.rows), dict(self.by_slug), self._visible
        tagged, copied, lost_slugs = dict(self._tagged), set(), set()
        if changes:
            visible = visible.copy()

        def tag_list(tag: str) -> _Sorted:
            if tag not in copied:
                copied.add(tag)
                tagged[tag] = tagged[tag].copy() if tag in tagged else _Sorted([], [])
            return tagged[tag]

        for post_id, slug, is_visible, published_at, tags, generation in changes:
            old = rows.pop(post_id, None)
            if old is not None:
                visible.remove(old)
                for tag in old.tags:
                    tag_list(tag).remove(old)
                if by_slug.get(old.slug) is old:
                    del by_slug[old.slug]
                    lost_slugs.add(old.slug)
            if is_visible:
                row = rows[post_id] = PostRow(post_id, slug, published_at, tuple(tags), generation)
                visible.insert(row)
                for tag in row.tags:
                    tag_list(tag).insert(row)
                _hold_slug(by_slug, row)
        for slug in lost_slugs - by_slug.keys():  # another visible post with the same slug, if any (never, really)
            for row in rows.values():
                if row.slug == slug:
                    _hold_slug(by_slug, row)
        for tag in copied:
            if not tagged[tag].rows:
                del tagged[tag]
        return ContentState(rows, read_at, next_change, by_slug, visible, tagged)

    def __eq__(self, other: object) -> bool:
        """Equal states hold the same rows and the same next change (not necessarily read at the same time)."""
        if not isinstance(other, ContentState):
            return NotImplemented
        return self.rows == other.rows and self.next_change == other.next_change

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<ContentState {len(self.rows)} posts read at {self.read_at}, next change {self.next_change}>"

    def due(self, now: datetime) -> bool:
        """Whether a scheduled post may have gone live since this state was read."""
        return self.next_change is not None and now >= self.next_change

    def version(self, shows: Shows, now: datetime | None = None) -> str | None:
        """The version of the page ``shows``; None: not a page to cache; ``DUE`` (a list, when ``now`` is past
        the next scheduled post): only the database can say."""
        if isinstance(shows, PostPage):
            row = self.by_slug.get(shows.slug)
            return None if row is None else post_version(row.post_id, row.generation)
        if now is not None and self.due(now):
            return DUE
        posts = self.live if shows.tag is None else self._live_with(shows.tag)
        number, num_pages, start, stop = _page_bounds(len(posts), shows)
        memo = (shows.tag, shows.per_page, number)
        version = self._versions.get(memo)
        if version is None:
            if shows.tag is None:
                next_change = self.next_change
            else:
                next_change = self._tagged[shows.tag].next_change(self.read_at) if shows.tag in self._tagged else None
            pairs = ((row.post_id, row.generation) for row in posts[start:stop])
            version = list_version(number, num_pages, next_change, pairs)
            if (shows.tag is None or shows.tag in self._tagged) and len(self._versions) < _MEMO_LIMIT:
                self._versions[memo] = version
        return version

    def _live_with(self, tag: str) -> list[PostRow]:
        live = self._tag_live.get(tag)
        if live is None:
            tagged = self._tagged.get(tag)
            if tagged is None:
                return []
            live = self._tag_live[tag] = tagged.live(self.read_at)
        return live


def _hold_slug(by_slug: dict[str, PostRow], row: PostRow) -> None:
    """``row`` answers at its slug unless a newer row has the same one (as ``post_page_state()`` picks)."""
    current = by_slug.get(row.slug)
    if current is None or current.generation < row.generation:
        by_slug[row.slug] = row


# Both in one statement, so in one snapshot: the state's header and the rows of visible posts (``since`` NULL),
# or the rows changed by the transactions the snapshot ``since`` did not see (migration 0012).
READING = """
SELECT state.snapshot::text, state.read_at, state.next_change, state.relation,
    rows.post_id, rows.slug, rows.visible, rows.published_at, rows.tags, rows.generation
FROM content_state() AS state
LEFT JOIN LATERAL post_generations(%(since)s::pg_snapshot, state.snapshot) AS rows ON true
"""


@dataclass(frozen=True)
class Reading:
    """One reading of ``READING``: the header, and the rows read (without the header's NULL row)."""

    snapshot: str
    read_at: datetime
    next_change: datetime | None
    relation: str
    rows: list[tuple]

    @classmethod
    def of(cls, result: list[tuple]) -> Reading:
        snapshot, read_at, next_change, relation = result[0][:4]
        return cls(snapshot, read_at, next_change, relation, [row[4:] for row in result if row[4] is not None])


def content_state() -> ContentState:
    """The state as PostgreSQL sees it now, read whole in this request's connection."""
    with connection.cursor() as cursor:
        cursor.execute(READING, {"since": None})
        reading = Reading.of(cursor.fetchall())
    return ContentState.from_rows(reading.rows, reading.read_at, reading.next_change)


def database_version(shows: Shows) -> str | None:
    """The version of one page, asked of PostgreSQL in this request's connection (one query)."""
    with connection.cursor() as cursor:
        if isinstance(shows, PostPage):
            cursor.execute("SELECT * FROM post_page_state(%s)", [shows.slug])
            post_id, generation = cursor.fetchone()
            return None if post_id is None else post_version(post_id, generation)
        cursor.execute(
            "SELECT number, num_pages, next_change, post_ids, generations FROM post_list_state(%s, %s, %s)",
            [shows.tag, shows.requested, shows.per_page],
        )
        number, num_pages, next_change, post_ids, generations = cursor.fetchone()
    return list_version(number, num_pages, next_change, zip(post_ids, generations, strict=True))
