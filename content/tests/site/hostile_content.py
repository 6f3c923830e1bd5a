"""Content an editor could store that has broken public pages' validity: the corpus of the
validity and accessibility tests (test_valid_html.py, test_accessibility.py)."""

from django.utils import timezone

from content import stored_html
from content.models import PostSection
from content.tests.factories import (
    AudioSectionFactory,
    ImageSectionFactory,
    PostFactory,
    SectionFactory,
    TagFactory,
    VideoSectionFactory,
)

# C0 and C1 controls, DEL, noncharacters: none may stand in HTML.
CONTROLS = "\x01\x02\x07\x08\x0b\x0c\x0e\x1b\x7f\x85\x9f\ufdd0\ufffe\uffff\U0001fffe"
LONG_WORD = "Donaudampfschifffahrtsgesellschaftskapitänswitwenrentenversicherung" * 6
UNICODE = "Ünïcödé ✓ 日本語 עברית العربية 🚀 \u202eright-to-left\u202c zero\u200bwidth e\u0301"

MARKDOWN = f"""# A heading one in the text
## A heading two
###### A heading six

Paragraph with **bold**, *em*, ~~strike~~, `code`, a [link](https://example.org/a b?c=d#e#f), an
autolink https://example.org/x and <https://example.org/y>, an e-mail <reader@example.org>,
[an empty link](), [](https://example.org/empty), ![](https://example.org/no-alt.png),
![alt text](https://example.org/pic.png "A title"), ![](), [bad host](http://exa%20mple.com/),
[javascript](javascript:alert(1)), [a port too far](http://example.org:99999/).

{LONG_WORD}

{UNICODE} {CONTROLS}

```python
def f():
    return "{LONG_WORD}"
```

```
a fence without a language
```

```"><b>not bold</b>
a hostile info string
```

    indented code

- [ ] an open task
- [x] a done task
  - [ ] a nested task

1. [x] a loose task

   with a second paragraph

| Left | Centre | Right |
|:-----|:------:|------:|
| 1 | 2 | 3 |
| a row with fewer cells |
| {LONG_WORD} | many | cells | here |

| Only a header |
|---------------|

> A quote with a footnote[^1], another[^note] and the first again[^1].

[^1]: The first note.
[^note]: The second, *emphasised*.

---

<div>raw div with <b>bold</b> <span style="color:red" onclick="x()">span</span></div>
<h1>A raw heading one</h1>
<p align="center" lang="xx-invalid" dir="sideways" id="main" class="skip-link">a raw paragraph</p>
<img src="https://example.org/raw.png">
<img src="https://example.org/raw2.png" width="100%" height="auto" alt="">
<img>
<a href="https://example.org/r"><img src="https://example.org/in-link.png"></a>
<a href="https://exa mple.org/">bad host</a> <a href="http://[::1">bad IPv6</a> <a href="#fn-1">a footnote</a>

<ul><p>a paragraph in a list</p>text in a list<li>an item</li></ul>
<li>an orphan item</li>
<em>

- a list inside emphasis

</em>

<table><tr><td colspan="x">1</td><td rowspan="3">2</td></tr><caption>A late caption</caption><tr><td>only</td></tr>
<tfoot><tr><td>foot</td></tr></tfoot><thead><tr><th>a late head</th></tr></thead></table>
<table></table>
<details><p>before the summary</p><summary>A late <a href="/x">summary</a></summary>content</details>
<details open><summary><h2>A heading in a summary</h2></summary>Body</details>
<a href="/outer"><details><summary>in a link</summary>x</details><pre>pre in a link</pre>
<table><tr><td>t</td></tr></table></a>
<dl><dt>term</dt><dd>definition</dd></dl>
<ruby>漢<rt>kan</rt></ruby> <bdo>no dir</bdo> <center>centre</center> <font color=red>font</font>
<time>not a date</time> <data>no value</data> <abbr title="t">abbr</abbr> <q cite="::bad">quote</q>
<ins datetime="bad">ins</ins> <dfn><dfn>nested dfn</dfn></dfn> <sub>sub</sub><sup>sup</sup> <kbd>Ctrl</kbd>
<ol start="x" type="z" reversed><li value="y">an ordered item</li></ol>
<iframe src="https://evil.example/"></iframe><script>alert(1)</script><style>body{{color:red}}</style>
<form><input type="text"><button>b</button><select><option>o</option></select><textarea>t</textarea></form>
<svg><circle r="1"/></svg><math><mi>x</mi></math>
<!-- a comment --> <![CDATA[ cdata ]]>
&#1; &#x85; &#xFFFE; &#0; &nbsp; &amp; &bogus;
"""

HTML_SNIPPET = '<b>Bold</b> & <script>alert("x")</script> **Markdown** [link](https://example.org) \x01'


def build() -> dict[str, str]:
    """Create the corpus; returns {page name: path} of every public page to check."""
    tag = TagFactory(name=f"Ünïcödé <tag> {CONTROLS}", slug="hostile-tag")
    plain_tag = TagFactory(name="plain", slug="plain")
    hostile = PostFactory(
        title=f"Hostile </title><script>alert('t')</script> {UNICODE} {CONTROLS}",
        subtitle="",
        summary=f"**Summary** with <em>HTML</em>, [a link](https://example.org) and {CONTROLS} " + "words " * 60,
        content=MARKDOWN,
        tags=[tag, plain_tag],
    )
    SectionFactory(post=hostile, position=1, title=f"Text {CONTROLS}", subtitle=UNICODE, content=MARKDOWN)
    SectionFactory(post=hostile, position=2, title="Main", content="Its anchor must not be the page's `main`.")
    SectionFactory(post=hostile, position=3, title="Foo title", content="Footnote[^1].\n\n[^1]: Three.")
    SectionFactory(post=hostile, position=4, title="Foo", content="Footnote[^1].\n\n[^1]: Four.")
    SectionFactory(post=hostile, position=5, title="", subtitle="", content="# Untitled\n\n" + MARKDOWN)
    SectionFactory(post=hostile, position=6, title=LONG_WORD[:200], content=LONG_WORD)
    ImageSectionFactory(
        post=hostile,
        position=7,
        title="An image without alt text",
        image__alt_text=None,
        image__caption=f"A caption {CONTROLS} <b>not bold</b>",
        image__image_metadata={"width": "100 onerror=x", "height": 3.5, "renditions": {"480": "a b,c.webp"}},
        content=MARKDOWN,
        social_media_snippets={"description": HTML_SNIPPET, "twitter": "# Heading\n\n" + HTML_SNIPPET, "title": ""},
    )
    ImageSectionFactory(
        post=hostile,
        position=8,
        title="",
        image__alt_text="",
        image__caption="",
        image__image_metadata={"width": True, "height": -3, "renditions": {"0": "zero.webp", "960": "ok.webp"}},
    )
    VideoSectionFactory(post=hostile, position=9, title="", video_url="https://youtu.be/dQw4w9WgXcQ", duration=0)
    VideoSectionFactory(post=hostile, position=10, title="A file", video_url="https://example.org/a b.mp4")
    VideoSectionFactory(post=hostile, position=11, title="Unknown", video_url="https://example.org/page", content="x")
    AudioSectionFactory(post=hostile, position=12, title="Sound", audio_url="https://example.org/ä ö.mp3", duration=0)
    audio = AudioSectionFactory(post=hostile, position=13, title="No sound", duration=None, content=MARKDOWN)
    PostSection.objects.filter(pk=audio.pk).update(audio_url="javascript:alert(1)")

    empty = PostFactory(title="", subtitle=None, summary=None, content="", tags=[tag])
    snippet_only = PostFactory(title="Snippets as a string", summary="", content="", tags=[plain_tag])
    SectionFactory(post=snippet_only, position=1, social_media_snippets=HTML_SNIPPET, content=f"- [ ] {LONG_WORD}")
    intro = f"Intro *Markdown*[^1].\n\n[^1]: {CONTROLS}"
    listed = PostFactory(title="Listed", summary=None, subtitle=None, content=intro)
    ImageSectionFactory(post=listed, position=1, image__alt_text="")  # the lead image of its card has an empty alt
    draft = PostFactory(title="A draft", published=False, content=MARKDOWN)
    stored_html.store_for_posts([snippet_only.pk, listed.pk])  # some pages use stored HTML, others render
    hostile.published_at = timezone.now()  # newest: first on the index
    hostile.save(update_fields=["published_at"])

    long_query = ("hostile " * 30) + "Donaudampfschifffahrtsgesellschaft" + CONTROLS
    return {
        "index": "/",
        "index page 2": "/?page=2",
        "hostile post": hostile.get_absolute_url(),
        "post without title or text": empty.get_absolute_url(),
        "post with string snippets": snippet_only.get_absolute_url(),
        "listed post": listed.get_absolute_url(),
        "tag page": "/tags/hostile-tag/",
        "search with results": "/search/?q=heading",
        "search with results, page 2": "/search/?q=task&page=2",
        "search without results": "/search/?q=zzzzqqqq",
        "search with a long query": "/search/?q=" + long_query,
        "search without a query": "/search/",
        "404": "/no-such-page/",
        "400": "/tags/%01/",  # a control character in the address
        "draft preview": draft.get_absolute_url(),  # only staff see it
    }
