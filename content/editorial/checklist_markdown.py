"""What the content checks read in a text's Markdown: its headings, images, links, sentences and visible text.

Pure and cached by text. The Markdown is turned into HTML as readers' pages do it (cmark, then the
sanitizer: what a reader's page could never show is not read either), but before headings are
demoted, so the levels are the ones the editor typed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from html.parser import HTMLParser

from content import rendering
from content.reading import WORD_CHARACTER

HEADING_TAGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
# Elements whose text is read as one run of sentences; a heading or code block is never a sentence.
BLOCKS = {"p", "li", "blockquote", "td", "th", "dd", "dt", "summary", "figcaption", "div"}
UNREAD = {"pre", "code", "script", "style"}
# A sentence ends at . ! ? or … (closing quotes and brackets after it belong to it) before a space.
SENTENCE_END = re.compile("(?<=[.!?\u2026])[\"'\u201d\u2019\u00bb)\\]]*\\s+")


@dataclass(frozen=True)
class Heading:
    level: int
    text: str


@dataclass(frozen=True)
class Picture:
    src: str
    alt: str


@dataclass(frozen=True)
class TextContents:
    headings: tuple[Heading, ...]
    pictures: tuple[Picture, ...]
    links: tuple[str, ...]
    # The running text, one entry a paragraph (or list item, quote, cell): where sentences are counted.
    blocks: tuple[str, ...]
    # Whether readers see anything but headings: text (code included) or a picture.
    shows_something: bool


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.headings: list[Heading] = []
        self.pictures: list[Picture] = []
        self.links: list[str] = []
        self.blocks: list[str] = []
        self.visible = False
        self._heading: tuple[int, list[str]] | None = None
        self._buffers: list[list[str]] = [[]]  # the innermost open block's text is last
        self._unread = 0

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag in HEADING_TAGS:
            self._close_block()
            self._heading = (HEADING_TAGS[tag], [])
        elif tag in BLOCKS:
            self._buffers.append([])
        elif tag in UNREAD:
            self._unread += 1
        elif tag == "img":
            self.pictures.append(Picture(values.get("src") or "", (values.get("alt") or "").strip()))
            self.visible = True
        elif tag == "a" and values.get("href"):
            self.links.append(values["href"])
        elif tag == "br":
            self._buffers[-1].append(" ")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag in HEADING_TAGS and self._heading is not None:
            level, parts = self._heading
            self.headings.append(Heading(level, " ".join("".join(parts).split())))
            self._heading = None
        elif tag in BLOCKS and len(self._buffers) > 1:
            self._emit(self._buffers.pop())
        elif tag in UNREAD and self._unread:
            self._unread -= 1

    def handle_data(self, data):
        if self._heading is not None:
            self._heading[1].append(data)
            return
        if data.strip():
            self.visible = True
        if not self._unread:
            self._buffers[-1].append(data)
        else:
            self._buffers[-1].append(" ")  # code splits the text around it, and is no sentence of its own

    def _close_block(self):
        self._emit(self._buffers[-1])
        self._buffers[-1] = []

    def _emit(self, parts: list[str]) -> None:
        text = " ".join("".join(parts).split())
        if text:
            self.blocks.append(text)

    def result(self) -> TextContents:
        while len(self._buffers) > 1:
            self._emit(self._buffers.pop())
        self._close_block()
        return TextContents(
            tuple(self.headings), tuple(self.pictures), tuple(self.links), tuple(self.blocks), self.visible
        )


# Every check of one run reads the same texts: remembered, the short ones (a bound on memory, as the
# editor's every pause sends new versions of them).
CACHED_CHARS = 50_000


def read(text: str) -> TextContents:
    """What a text holds, as readers would get it."""
    if not text or not text.strip():
        return TextContents((), (), (), (), False)
    return _read_cached(text) if len(text) <= CACHED_CHARS else _read(text)


def _read(text: str) -> TextContents:
    reader = _Reader()
    reader.feed(rendering.SANITIZER.clean(rendering._cmark(text)))  # as rendering.render_markdown does
    reader.close()
    return reader.result()


_read_cached = lru_cache(maxsize=128)(_read)


def sentences(block: str) -> list[str]:
    """The sentences of one block of running text (a block always ends one)."""
    return [sentence for sentence in SENTENCE_END.split(block) if WORD_CHARACTER.search(sentence)]


def opening(text: str, words: int = 8) -> str:
    """The first few words of a text, to name it: “The first words of it…”."""
    found = text.split()
    return " ".join(found[:words]) + ("…" if len(found) > words else "")
