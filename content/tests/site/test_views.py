"""Public pages: what readers see, what they must not see, and bad input."""

from datetime import timedelta

import pytest
from django.http import HttpResponse
from django.middleware.csp import ContentSecurityPolicyMiddleware
from django.test import Client, RequestFactory
from django.urls import reverse, set_script_prefix
from django.utils import timezone

from content.site.security import public_headers
from content.templatetags.content_tags import tag_url
from content.tests.factories import (
    AudioSectionFactory,
    ImageSectionFactory,
    PostFactory,
    SectionFactory,
    TagFactory,
    VideoSectionFactory,
)

pytestmark = pytest.mark.django_db


def hidden_posts():
    """A draft, a trashed post and a scheduled one: readers see none of them."""
    return [
        PostFactory(title="Draft post", slug="draft", published=False),
        PostFactory(title="Trashed post", slug="trashed", deleted_at=timezone.now()),
        PostFactory(title="Future post", slug="future", published_at=timezone.now() + timedelta(days=1)),
    ]


def test_index_lists_live_posts_newest_first_with_details(client):
    travel = TagFactory(name="travel", slug="travel")
    older = PostFactory(title="Older", published_at=timezone.now() - timedelta(days=2), tags=[travel])
    newer = PostFactory(title="Newer", subtitle="Its subtitle", summary="Its summary.")
    ImageSectionFactory(post=newer, image__alt_text="A lighthouse at night")
    hidden_posts()
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("Newer") < html.index("Older")
    for text in ["Its subtitle", "Its summary.", 'alt="A lighthouse at night"', 'href="/tags/travel/"']:
        assert text in html
    assert f'<time datetime="{older.published_at.isoformat(timespec="seconds")}">' in html
    for title in ["Draft post", "Trashed post", "Future post"]:
        assert title not in html


def test_tag_links_are_remembered_per_script_prefix():
    """Tag links are reversed once per slug, but never reused for a site mounted under another prefix."""
    assert tag_url("travel") == "/tags/travel/"
    set_script_prefix("/blog/")
    try:
        assert tag_url("travel") == "/blog/tags/travel/"
    finally:
        set_script_prefix("/")
    assert tag_url("travel") == "/tags/travel/"


def test_index_paginates(client, settings):
    settings.POSTS_PER_PAGE = 2
    for number in range(5):
        PostFactory(title=f"Paged {number}", published_at=timezone.now() - timedelta(hours=number))
    first = client.get("/").content.decode()
    third = client.get("/?page=3").content.decode()
    assert "Paged 0" in first and "Paged 1" in first and "Paged 2" not in first
    assert "Paged 4" in third and "Page 3 of 3" in third


@pytest.mark.parametrize("page", ["abc", "99999", "-1", "0", "1.5", "%00", "9" * 400])
def test_bad_page_numbers_give_a_normal_page(client, page):
    PostFactory(title="Only post")
    response = client.get("/", {"page": page})
    assert response.status_code == 200
    assert "Only post" in response.content.decode()


@pytest.mark.parametrize("slug", ["draft", "trashed", "future", "no-such-post"])
def test_hidden_and_unknown_posts_are_404_for_readers(client, slug):
    hidden_posts()
    assert Client().get(f"/posts/{slug}/").status_code == 404


@pytest.mark.parametrize("slug", ["draft", "future"])
def test_staff_can_preview_a_draft_and_the_preview_is_not_cached(staff_client, slug):
    hidden_posts()
    response = staff_client.get(f"/posts/{slug}/")
    assert response.status_code == 200
    assert "Preview: readers cannot see this post" in response.content.decode()
    assert "private" in response["Cache-Control"] and "ETag" not in response
    assert Client().get(f"/posts/{slug}/").status_code == 404


def test_staff_cannot_preview_a_trashed_post(staff_client):
    hidden_posts()
    assert staff_client.get("/posts/trashed/").status_code == 404


def test_post_page_renders_every_section_type(client):
    post = PostFactory(title="All kinds", content="Intro with **bold**.")
    SectionFactory(post=post, position=1, title="Words", content="Some *Markdown* text.")
    ImageSectionFactory(
        post=post,
        position=2,
        title="Picture",
        image__alt_text="A red kite over a field",
        image__caption="The kite, at noon.",
        image__image_metadata={"width": 800, "height": 600, "renditions": {"480": "r/480.webp", "960": "r/960.webp"}},
    )
    VideoSectionFactory(post=post, position=3, title="Film", video_url="https://youtu.be/dQw4w9WgXcQ", duration=75)
    VideoSectionFactory(post=post, position=4, title="Vimeo", video_url="https://vimeo.com/76979871")
    VideoSectionFactory(post=post, position=5, title="File", video_url="https://example.org/clip.mp4")
    AudioSectionFactory(post=post, position=6, title="Sound", subtitle="Gulls", duration=3725)
    html = client.get(post.get_absolute_url()).content.decode()
    assert "<strong>bold</strong>" in html and "<em>Markdown</em>" in html
    assert 'alt="A red kite over a field"' in html and 'width="800" height="600"' in html
    assert 'srcset="/media/r/480.webp 480w, /media/r/960.webp 960w"' in html
    assert "<figcaption>The kite, at noon.</figcaption>" in html
    assert 'src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"' in html
    assert 'src="https://player.vimeo.com/video/76979871?dnt=1"' in html
    assert '<video controls preload="metadata" src="https://example.org/clip.mp4">' in html
    assert '<audio controls preload="metadata" src="https://example.org/episode.mp3">' in html
    assert '<time datetime="PT3725S">1:02:05</time>' in html and '<time datetime="PT75S">1:15</time>' in html
    assert '<h2 id="picture-title">Picture <a class="anchor" href="#picture"' in html
    assert 'id="picture"' in html and '<h3 class="section-subtitle">Gulls</h3>' in html


def test_image_falls_back_to_the_watermarked_original_without_renditions(client):
    post = PostFactory()
    section = ImageSectionFactory(post=post, image__watermarked=True, image__watermarked_path="wm/marked.png")
    html = client.get(post.get_absolute_url()).content.decode()
    assert 'src="/media/wm/marked.png"' in html and "srcset" not in html
    assert section.image.path.url not in html


def test_unlisted_video_hosts_and_bad_schemes_are_not_embedded(client):
    post = PostFactory()
    VideoSectionFactory(post=post, position=1, video_url="https://evil.example/embed/x")
    AudioSectionFactory(post=post, position=2, audio_url="https://example.org/a.mp3")
    # Stored values that bypassed form validation, as raw SQL or an import would.
    post.sections.filter(position=2).update(audio_url="javascript:alert(1)")
    html = client.get(post.get_absolute_url()).content.decode()
    assert "evil.example" not in html and "javascript:" not in html
    assert "This video cannot be shown here." in html and "This audio cannot be played here." in html


def test_seo_tags_and_json_ld(client):
    post = PostFactory(title="Seen </script><script>alert(1)</script>", summary="Short & sweet.")
    ImageSectionFactory(post=post, position=1, image__alt_text="Lead image")
    SectionFactory(
        post=post, position=2, social_media_snippets={"twitter": "For the birds", "description": "For everyone"}
    )
    html = client.get(post.get_absolute_url()).content.decode()
    canonical = f"http://127.0.0.1:8000{post.get_absolute_url()}"
    assert f'<link rel="canonical" href="{canonical}">' in html
    assert '<meta name="description" content="Short &amp; sweet.">' in html
    assert '<meta property="og:description" content="For everyone">' in html
    assert '<meta name="twitter:description" content="For the birds">' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    assert '<meta property="og:image" content="http://127.0.0.1:8000/media/' in html
    json_ld = html.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    assert '"@type": "BlogPosting"' in json_ld and "\\u003C/script\\u003E" in json_ld
    assert "<script>alert(1)" not in html


def test_tag_page_lists_only_live_posts_with_the_tag(client):
    tag, other = TagFactory(name="Bird watching", slug="bird-watching"), TagFactory()
    PostFactory(title="Tagged live", tags=[tag, other])
    PostFactory(title="Other tag", tags=[other])
    PostFactory(title="Tagged draft", published=False, tags=[tag])
    response = client.get("/tags/bird-watching/")
    html = response.content.decode()
    assert response.status_code == 200 and "Posts tagged “Bird watching”" in html
    assert "Tagged live" in html and "Other tag" not in html and "Tagged draft" not in html


@pytest.mark.parametrize("slug", ["no-such-tag", "only-drafts", "%3Cscript%3E", "x" * 300])
def test_unknown_tags_and_tags_without_live_posts_are_404(client, slug):
    PostFactory(published=False, tags=[TagFactory(name="only drafts", slug="only-drafts")])
    assert client.get(f"/tags/{slug}/").status_code == 404
    assert client.get(f"/tags/{slug}/feed/").status_code == 404
    assert client.get(f"/tags/{slug}/feed/atom/").status_code == 404


def test_head_is_answered_and_post_is_refused(client):
    PostFactory()
    assert client.head("/").status_code == 200
    assert client.post("/").status_code == 405


def test_public_pages_send_a_strict_content_security_policy(client):
    post = PostFactory()
    for url in ["/", post.get_absolute_url(), "/search/?q=x"]:
        policy = client.get(url)["Content-Security-Policy"]
        assert "script-src 'none'" in policy and "object-src 'none'" in policy


@pytest.mark.parametrize("report_only", [False, True])
def test_the_public_policy_is_enforced_or_reported_as_the_sites_is(settings, report_only):
    """Through Django's CSP middleware, which keeps the header the view set instead of the site's."""
    if report_only:
        settings.SECURE_CSP, settings.SECURE_CSP_REPORT_ONLY = {}, settings.SECURE_CSP
    view = public_headers(lambda request: HttpResponse("a page"))
    response = ContentSecurityPolicyMiddleware(view)(RequestFactory().get("/"))
    sent, absent = "Content-Security-Policy", "Content-Security-Policy-Report-Only"
    if report_only:
        sent, absent = absent, sent
    assert absent not in response
    assert "script-src 'none'" in response[sent] and "frame-src https://www.youtube-nocookie.com" in response[sent]
    assert "object-src 'none'" in response[sent]  # from the site's policy in settings


def test_robots_txt_points_at_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    body = response.content.decode()
    assert "Disallow: /admin/" in body and "Sitemap: http://127.0.0.1:8000/sitemap.xml" in body


def test_reverse_names_exist():
    assert reverse("content:search") == "/search/"
    assert reverse("content:tag_detail", kwargs={"slug": "café"}) == "/tags/caf%C3%A9/"
