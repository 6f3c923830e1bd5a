"""Full-text search: the indexed documents, the reader's query and highlighted snippets.

Each post and each section carries a ``search_vector`` column that PostgreSQL computes
itself (a stored generated column): the post's from its title (weight A), subtitle and
summary (B) and introduction (C), a section's from its title and subtitle (B) and text (D).
Each post also has one search document (``PostSearchDocument``, table ``post_search``,
GIN-indexed): its own vector followed by its sections' vectors, rebuilt by database triggers
in the statement that writes the post or a section (migration ``content/0008``). Whatever
writes - the admin, a service, ``bulk_update``, COPY, raw SQL, a restore - the documents
follow, so no signal or service keeps them in sync. A post matches when its document does;
see ``selectors.search_posts`` for the order.
"""

import re

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db.models.functions import Left
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from content.site.html_values import cut_at_word

CONFIG = "english"
# tsvector values are limited to 1 MB: only the first characters of a long text are indexed.
INDEXED_CHARS = 100_000
# A reader's query longer than this is cut; nothing useful is lost and the database is spared.
MAX_QUERY_CHARS = 200

# ts_headline marks matches with these private-use characters; ``highlight`` turns them into <mark>.
START, STOP = "\ue000", "\ue001"
_MARKED = re.compile(f"{START}([^{START}{STOP}]*){STOP}")
# Snippets come from Markdown source: its emphasis and heading marks are noise in a result list.
_MARKDOWN_MARKS = re.compile(r"[*`#]+")


def _vector(field: str, weight: str) -> SearchVector:
    return SearchVector(Left(field, INDEXED_CHARS), config=CONFIG, weight=weight)


def post_document() -> SearchVector:
    return _vector("title", "A") + _vector("subtitle", "B") + _vector("summary", "B") + _vector("content", "C")


def section_document() -> SearchVector:
    return _vector("title", "B") + _vector("subtitle", "B") + _vector("content", "D")


def clean_query(raw: str | None) -> str:
    """The reader's search string, safe to send: no NUL bytes, no control characters, bounded.

    A query longer than ``MAX_QUERY_CHARS`` is cut at a word boundary (a single longer word is cut).
    """
    raw = raw or ""
    window = raw[: MAX_QUERY_CHARS * 4]
    text = "".join(char if char.isprintable() else " " for char in window)
    if len(raw) > len(window) and not raw[len(window)].isspace() and not text[-1].isspace():
        head, space, _ = text.rpartition(" ")  # the window ended inside a word: leave it out
        text = head if space else text
    return cut_at_word(" ".join(text.split()), MAX_QUERY_CHARS, ellipsis="")


def reader_query(text: str) -> SearchQuery:
    """Web-search syntax ("quoted phrase", or, -word): never a syntax error, whatever the input."""
    return SearchQuery(text, config=CONFIG, search_type="websearch")


def highlight(snippet: str | None) -> SafeString:
    """Escape a ts_headline result (without Markdown marks), then turn its match markers into <mark>."""
    escaped = escape(_MARKDOWN_MARKS.sub("", snippet or ""))
    marked = _MARKED.sub(r"<mark>\1</mark>", escaped)
    return mark_safe(marked.replace(START, "").replace(STOP, ""))  # escaped above
