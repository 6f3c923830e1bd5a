"""Hostile stored content: every public page stays a normal page with nothing executable in it."""

from html.parser import HTMLParser

import pytest

from content.models import PostSection
from content.rendering import render_markdown
from content.tests.factories import ImageSectionFactory, PostFactory, SectionFactory, TagFactory

pytestmark = pytest.mark.django_db

EVIL = (
    "<script>alert('x')</script><img src=x onerror=alert(1)>"
    '<a href="javascript:alert(2)">click</a> [md link](javascript:alert(3)) '
    '<iframe src="https://evil.example/"></iframe><svg onload=alert(4)></svg>'
    '<a href="  JaVaScRiPt:alert(5)">spaced</a> ![img](javascript:alert(6)) '
    '<div style="background:url(javascript:alert(7))">styled</div>'
    "**unclosed *emphasis [broken](link <b><i>nesting</b></i> ```\nfence never closed"
)
ALLOWED_IFRAMES = ("https://www.youtube-nocookie.com/embed/", "https://player.vimeo.com/video/")


class ExecutableFinder(HTMLParser):
    """Collects everything in a page that a browser could run."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script" and attributes.get("type") != "application/ld+json":
            self.found.append(f"<script {attrs}>")
        if tag in ("iframe", "frame", "object", "embed") and not (attributes.get("src") or "").startswith(
            ALLOWED_IFRAMES
        ):
            self.found.append(f"<{tag} {attrs}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{tag} {name}={value}")
            if name == "style":
                self.found.append(f"{tag} style={value}")
            cleaned = "".join((value or "").split()).lower()
            if name in ("href", "src", "action", "formaction", "srcset", "poster", "data") and (
                cleaned.startswith(("javascript:", "vbscript:", "data:text"))
            ):
                self.found.append(f"{tag} {name}={value}")


def executable_parts(html: str) -> list[str]:
    finder = ExecutableFinder()
    finder.feed(html)
    return finder.found


def test_the_finder_finds_what_it_should():
    assert len(executable_parts('<script>x</script><a href=" javascript:y" onclick="z">a</a>')) == 3


def test_markdown_is_sanitized():
    html = str(render_markdown(EVIL))
    assert executable_parts(html) == []
    assert "<a" in html and "click" in html and "<strong>" not in html.split("unclosed")[0]


def test_every_public_page_with_hostile_content_is_inert(client):
    tag = TagFactory(name="<script>alert('tag')</script>", slug="evil-tag")
    post = PostFactory(
        title="Evil </title><script>alert('t')</script>",
        subtitle="<img src=x onerror=alert('s')>",
        summary="Summary \"quotes\" <script>alert('sum')</script> evil",
        content=EVIL,
        tags=[tag],
    )
    SectionFactory(post=post, position=1, title="<b onclick=alert(1)>Evil section</b>", content=EVIL)
    ImageSectionFactory(
        post=post,
        position=2,
        image__alt_text='" onerror="alert(1)',
        image__caption="<script>alert('caption')</script>",
        image__image_metadata={"width": "100 onerror=x", "renditions": {"480": 'a.webp" onerror="x', "bad": "y"}},
        social_media_snippets={"description": "</script><script>alert('og')</script>", "twitter": 5},
    )
    section = SectionFactory(post=post, position=3, content="x")
    PostSection.objects.filter(pk=section.pk).update(
        content_type="video", video_url="javascript:alert('video')", content=""
    )
    audio = SectionFactory(post=post, position=4, content="x")
    PostSection.objects.filter(pk=audio.pk).update(
        content_type="audio", audio_url="data:text/html,<script>alert(1)</script>", content=""
    )
    urls = [
        "/",
        post.get_absolute_url(),
        "/tags/evil-tag/",
        "/search/?q=evil",
        "/search/?q=%3Cscript%3Ealert(1)%3C/script%3E",
        "/feed/",
        "/feed/atom/",
        "/tags/evil-tag/feed/",
        "/sitemap.xml",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert executable_parts(html) == [], url
    post_html = client.get(post.get_absolute_url()).content.decode()
    assert "Evil section" in post_html and "This video cannot be shown here." in post_html
    json_ld = post_html.split('type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    assert "<" not in json_ld
