"""Public pages are valid HTML for the Nu checker whatever editors stored, and each fix unit-tested."""

import random
from datetime import UTC, datetime, timedelta, timezone

import pytest
from django.test import Client

from content.rendering import plain_text, render_markdown
from content.search import MAX_QUERY_CHARS, clean_query
from content.site import seo
from content.site.html_values import clean_url, cut_at_word
from content.templatetags.content_tags import iso_datetime
from content.tests.factories import PostFactory, SectionFactory
from content.tests.site import hostile_content
from content.tests.site.html_checkers import nu_checker  # noqa: F401 (a fixture)

DOCUMENT = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Fragment</title></head>'
    "<body><main>{}</main></body></html>"
)


def report(errors: dict[str, list[str]]) -> str:
    return "\n".join(f"{name}:\n  " + "\n  ".join(messages) for name, messages in errors.items())


@pytest.mark.django_db
def test_every_public_page_is_valid_html_with_hostile_content(client, staff_client, settings, nu_checker, tmp_path):  # noqa: F811
    settings.POSTS_PER_PAGE = 2
    pages = hostile_content.build()
    reader, documents = Client(), {}
    for name, path in pages.items():
        response = (staff_client if name == "draft preview" else reader).get(path)
        assert response.status_code == {"404": 404, "400": 400}.get(name, 200), name
        documents[name] = response.content.decode()
    assert "Page 1 of" in documents["index"] and "task-list-item" in documents["hostile post"]
    errors = nu_checker(documents, tmp_path)
    assert errors == {}, report(errors)


# Pieces of hostile input the fuzz test below puts together at random.
FUZZ_TAGS = [
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "caption",
    "code",
    "dd",
    "del",
    "details",
    "dfn",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "h1",
    "h2",
    "h4",
    "hr",
    "i",
    "img",
    "ins",
    "kbd",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "section",
    "span",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "u",
    "ul",
    "time",
    "ruby",
    "rt",
    "input",
    "label",
    "button",
    "nav",
    "header",
    "footer",
    "center",
    "font",
]
FUZZ_ATTRIBUTES = {
    "href": ["https://example.org/a b", "#fn-1", "", "http://[::1", "/x y", "mailto:a b", "javascript:x", "//h:0/"],
    "src": ["https://example.org/i.png", "", "x y.png", "http://bad host/", "data:image/png;base64,AA"],
    "alt": ["", "An alt"],
    "title": ["", "A title\x01"],
    "id": ["fn-1", "fnref-1", "main", "a b"],
    "class": ["language-py", "skip-link", "language-a b"],
    "align": ["left", "bogus"],
    "width": ["10", "100%", "-1", "1e3"],
    "start": ["3", "x"],
    "type": ["a", "z", "checkbox"],
    "colspan": ["2", "x"],
    "scope": ["col", "bad"],
    "open": [""],
    "lang": ["fr", "xx-bad"],
    "style": ["color: red"],
    "onclick": ["alert(1)"],
}
FUZZ_MARKDOWN = [
    "- [ ] a task",
    "- [x] done\n  - [ ] nested",
    "1. [ ] loose\n\n   second",
    "# h1",
    "###### h6",
    "| a | b |\n|:-|-:|\n| 1 |\n| 1 | 2 | 3 |",
    "| head |\n|---|",
    "```py\ncode\n```",
    "> quote",
    "text[^1]\n\n[^1]: note",
    "**b** *i* ~~s~~ `c`",
    "[](https://example.org)",
    "![]()",
    "![](https://example.org/x.png)",
    "---",
    "https://example.org/auto link",
    "x" * 300,
    "\x01\x0b\x7f\x85\ufffe",
    "&#1; &#xFFFE; &#0; &#xD800; &#x110000;",
    "www.exämple.org/ä and <https://exämple.org> and <a+b@example.org>",
    "[x](<a b> 'T\x01') [ref]\n\n[ref]: https://example.org/r%zz",
    "Setext\n===",
    "<?php echo 1; ?>\n\n<!DOCTYPE html>",
    "<pre>\n\nraw pre\n</pre>",
    "<details>\n\n- [ ] a task in details\n\n</details>",
    "<a href='/x'>\n\n- [x] a task in a link\n\n</a>",
    "<table>\n<tr>\n\n| md | in |\n|---|---|\n\n</tr>\n</table>",
]


def fuzz_snippet(rng: random.Random, depth: int = 0) -> str:
    parts = []
    for _ in range(rng.randint(1, 4)):
        kind = rng.random()
        if kind < 0.25:
            parts.append(f"\n\n{rng.choice(FUZZ_MARKDOWN)}\n\n")
        elif kind < 0.4 or depth >= 4:
            parts.append(rng.choice(["text", " ", "a < b & c > d", "\n", "<", "&", "word" * 40]))
        else:
            tag = rng.choice(FUZZ_TAGS)
            names = rng.sample(sorted(FUZZ_ATTRIBUTES), rng.randint(0, 3))
            attributes = "".join(f' {name}="{rng.choice(FUZZ_ATTRIBUTES[name])}"' for name in names)
            closing = f"</{tag}>" if rng.random() < 0.9 else ""
            parts.append(f"<{tag}{attributes}>{fuzz_snippet(rng, depth + 1)}{closing}")
    return rng.choice(["", " ", "\n", "\n\n"]).join(parts)


def test_markdown_of_random_hostile_input_is_valid_html(nu_checker, tmp_path):  # noqa: F811
    rng = random.Random(20261102)
    sources, documents = {}, {}
    for number in range(300):
        sources[number] = fuzz_snippet(rng)
        html = render_markdown(sources[number], min_heading=rng.choice([2, 3]), id_prefix=f"s{number}")
        documents[number] = DOCUMENT.format(f'<div class="prose">{html}</div>')
    errors = nu_checker(documents, tmp_path)
    assert errors == {}, "\n\n".join(f"{sources[n]!r}\n{documents[n]}\n  " + "\n  ".join(errors[n]) for n in errors)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime(2026, 11, 2, 9, 0, 0, 123456, tzinfo=UTC), "2026-11-02T09:00:00+00:00"),
        (datetime(2026, 11, 2, 9, 0, 0, tzinfo=timezone(timedelta(hours=2))), "2026-11-02T07:00:00+00:00"),
        (None, ""),
    ],
)
def test_datetimes_are_valid_html_to_the_second_in_the_sites_time_zone(value, expected):
    assert iso_datetime(value) == expected


@pytest.mark.django_db
def test_time_elements_carry_no_microseconds(client):
    post = PostFactory(published_at=datetime(2026, 11, 2, 9, 0, 0, 654321, tzinfo=UTC))
    for url in ["/", post.get_absolute_url()]:
        html = client.get(url).content.decode()
        assert '<time datetime="2026-11-02T09:00:00+00:00">' in html and ".654321" not in html
    assert '<meta property="article:published_time" content="2026-11-02T09:00:00+00:00">' in html


def test_code_fences_keep_their_language_as_a_class():
    html = render_markdown('```python\nprint("hi")\n```\n\n```\nplain\n```\n\n```"><b>x\ny\n```')
    assert '<pre tabindex="0"><code class="language-python">print("hi")' in html
    assert '<pre tabindex="0"><code>plain\n</code></pre>' in html
    assert " lang=" not in html and "<b>" not in html


def test_task_lists_render_disabled_labelled_checkboxes():
    html = render_markdown("- [ ] open\n- [x] done\n\n1. [x] loose\n\n   second\n\nnot [ ] a task")
    assert '<li class="task-list-item"><input type="checkbox" disabled aria-label="Incomplete task"> open</li>' in html
    assert '<input type="checkbox" checked disabled aria-label="Completed task"> done</li>' in html
    assert html.count("<input") == 3 and "not [ ] a task" in html


def test_task_list_markers_cannot_be_forged_and_raw_inputs_are_dropped():
    html = render_markdown('text \ue010 \ue011 <input type="text" value="x"> <input type="checkbox">')
    assert "<input" not in html and "\ue010" not in html and "\ue011" not in html


def test_markdown_headings_sit_below_the_page_headings():
    # never above the page's own headings, never skipping a level (the Nu checker's error)
    assert render_markdown("# One\n\n## Two\n\n#### Four").startswith("<h2>One</h2>\n<h2>Two</h2>\n<h3>Four</h3>")
    assert render_markdown("###### Six\n\n# One\n\n### Three").startswith("<h2>Six</h2>\n<h2>One</h2>\n<h3>Three")
    assert "<h3>One</h3>" in render_markdown("# One", min_heading=3)
    assert "<h3>Raw</h3>" in render_markdown("<h1>Raw</h1>", min_heading=3)


def test_control_characters_and_noncharacters_are_stripped():
    html = render_markdown("a\x01b\x0bc\x7fd\x85e\ufffef\U0001ffff &#1; &#xFFFE; [l](https://e.org/\x01 'x\x02')")
    assert html.startswith("<p>abcdef  ") and not any(ord(char) < 32 and char != "\n" for char in html)
    assert "\ufffe" not in html and "\x7f" not in html and "\x85" not in html


def test_raw_html_is_repaired_to_valid_structure():
    html = render_markdown("<li>orphan</li>\n\n<em>\n\n- in emphasis\n\n</em>\n\n<ul><p>p</p><li>i</li></ul>")
    assert "<li>orphan" not in html and "<ul>\n<li>in emphasis" not in html
    assert "<ul><li><p>p</p></li><li>i</li></ul>" in html
    table = render_markdown("| a | b |\n|:-|-:|\n| 1 | 2 |")
    assert '<div class="table-scroll" tabindex="0"><table>' in table and "align=" not in table
    assert '<th class="align-left">a</th>' in table and '<td class="align-right">2</td>' in table
    raw = render_markdown("<table><tr><td>1</td></tr><caption>c</caption><tr><td>1</td><td>2</td></tr></table>")
    assert "<table><caption>c</caption><tbody><tr><td>1</td><td></td></tr></tbody>" in raw  # as wide as the widest
    assert "<td>" in render_markdown("| only a header |\n|---|")  # no header cells without data cells


def test_links_without_text_get_a_name_and_images_an_alt():
    html = render_markdown('[](https://example.org/) <a href="/x"><img src="/i.png"></a> <img src="/j.png"> <img>')
    assert '<a href="https://example.org/" rel="noopener noreferrer nofollow">https://example.org/</a>' in html
    assert '<a href="/x" rel="noopener noreferrer nofollow" aria-label="/x"><img src="/i.png" alt=""></a>' in html
    assert '<img src="/j.png" alt="">' in html and html.count("<img") == 2


def test_footnote_ids_are_prefixed_so_sections_never_share_one():
    html = render_markdown("a[^1]\n\n[^1]: note", id_prefix="intro")
    assert 'href="#intro.fn-1" id="intro.fnref-1"' in html and '<li id="intro.fn-1">' in html


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.org/a b?c=d#e#f", "https://example.org/a%20b?c=d#e%23f"),
        ("https://exämple.org/", "https://xn--exmple-cua.org/"),
        ("/path with space", "/path%20with%20space"),
        ("100%", "100%25"),
        ("http://exa mple.org/", None),
        ("http://[::1", None),
        ("http://example.org:99999/", None),
        ("http://999.1.1.1/", None),
        ("javascript:alert(1)", None),
        ("http://user@example.org/", None),
    ],
)
def test_urls_are_made_valid_or_refused(url, expected):
    assert clean_url(url) == expected


def test_cut_at_word_never_cuts_a_word():
    text = "The quick brown fox jumps over the lazy dog"
    assert cut_at_word(text, 100) == text
    assert cut_at_word(text, 18) == "The quick brown…"
    assert cut_at_word(text, 20, ellipsis="") == "The quick brown fox"
    assert cut_at_word("Hello, world", 8) == "Hello…"
    assert cut_at_word("x" * 50, 10) == "x" * 9 + "…"


def test_descriptions_are_plain_text_cut_at_a_word_boundary():
    text = plain_text("# Title\n\n**Bold** and <b>html</b> & [a link](https://example.org)\x01\n\n" + "word " * 60)
    assert text.startswith("Title Bold and html & a link word word")
    assert len(text) <= 160 and text.endswith("word…") and "<" not in text and "*" not in text


@pytest.mark.django_db
def test_meta_and_social_descriptions_are_plain_text(client):
    post = PostFactory(title="Meta", summary="", subtitle="", content="## Intro\n\n*Some* <em>text</em> & more.")
    SectionFactory(
        post=post,
        position=1,
        social_media_snippets={"description": "**Social** <b>text</b>", "twitter": "`Tweet` [x](https://e.org)"},
    )
    html = client.get(post.get_absolute_url()).content.decode()
    assert '<meta name="description" content="Intro Some text &amp; more.">' in html
    assert '<meta property="og:description" content="Social text">' in html
    assert '<meta name="twitter:description" content="Tweet x">' in html
    assert '"description": "Intro Some text \\u0026 more."' in html  # JSON-LD
    long = PostFactory(summary="word " * 100)
    meta = seo.post_meta(long, [], [])
    assert meta.description.endswith("word…") and len(meta.description) <= 160


def test_long_search_queries_are_cut_at_a_word_boundary():
    query = clean_query("alpha " * 33 + "omegaomega")  # 198 characters then a word that would end past 200
    assert query == ("alpha " * 33).strip() and len(query) <= MAX_QUERY_CHARS
    assert clean_query("y" * 500) == "y" * MAX_QUERY_CHARS
    assert clean_query(" " * 799 + "a" + "b" * 10) == ""  # the window ended inside the only word
    assert clean_query("two\x00words\tand\u2028more") == "two words and more"


@pytest.mark.parametrize("reference", ["&#xFFFE;", "&#xffff;", "&#65534;", "&#0065535;", "&#x0FFFE;"])
def test_references_to_noncharacters_cmark_cannot_encode_render(reference):
    """cmark-gfm writes U+FFFE and U+FFFF as invalid UTF-8: rendering failed on decoding it."""
    assert render_markdown(f"a {reference} b") == "<p>a  b</p>\n"
    assert plain_text(f"[x](/y) {reference}") == "x"
