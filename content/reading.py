"""How long a post takes to read: its words, counted once, the one way every page that shows it counts.

Words are those of the text as readers get it: Markdown turned into plain text by the same code that
writes meta descriptions (``rendering.plain_text``), so link targets, emphasis marks and HTML tags are
not words. A section counts its title, subtitle and text; a post its title, subtitle, introduction and
sections. The editor's desk shows these figures live (``content.editorial.previews``); a reader's page
that shows a reading time should call ``reading_time`` too.
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass

from content.rendering import plain_text

# A word is a run of text between spaces with a letter or a digit in it: don't, 3.5, well-known, l'été and a
# link's address are one word each; a dash or a bullet standing alone is none.
WORD_CHARACTER = re.compile(r"\w")
WORDS_PER_MINUTE = 230  # an adult's silent reading of prose (Brysbaert, 2019: 238 for non-fiction)


def word_count(*markdown: str | None, plain: Iterable[str | None] = ()) -> int:
    """The words of these Markdown texts as plain text, and of the ``plain`` ones (titles) as they are."""
    texts = [plain_text(text, limit=sys.maxsize) for text in markdown if text] + [text for text in plain if text]
    return sum(count_words(text) for text in texts)


def count_words(plain: str) -> int:
    """The words of a plain text (no Markdown): the one rule for word counts and sentence lengths."""
    return sum(1 for token in plain.split() if WORD_CHARACTER.search(token))


def reading_minutes(words: int) -> int:
    """Whole minutes, rounded up: 1 for any text at all, 0 for none."""
    return math.ceil(words / WORDS_PER_MINUTE) if words > 0 else 0


@dataclass(frozen=True)
class Reading:
    words: int

    @property
    def minutes(self) -> int:
        return reading_minutes(self.words)

    @property
    def label(self) -> str:
        """“No words yet”, “1 word · 1 min read”, “1,234 words · 6 min read”."""
        if self.words == 0:
            return "No words yet"
        return f"{self.words:,} word{'' if self.words == 1 else 's'} · {self.minutes} min read"

    def as_json(self) -> dict:
        return {"words": self.words, "minutes": self.minutes, "label": self.label}


def reading_time(*markdown: str | None, plain: Iterable[str | None] = ()) -> Reading:
    return Reading(word_count(*markdown, plain=plain))
