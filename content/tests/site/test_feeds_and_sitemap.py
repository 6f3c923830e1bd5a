"""Feeds and sitemap: live posts only, absolute addresses on SITE_URL."""

import xml.etree.ElementTree as ET

import pytest

from content.tests.factories import PostFactory, TagFactory

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture
def posts():
    birds = TagFactory(name="birds", slug="birds")
    PostFactory(title="Live bird post", summary="About birds.", tags=[birds])
    PostFactory(title="Live other post")
    PostFactory(title="Draft bird post", published=False, tags=[birds])
    return birds


def test_site_feeds_list_live_posts_with_categories(client, posts):
    atom = ET.fromstring(client.get("/feed/atom/").content)
    entries = {entry.find(f"{ATOM}title").text: entry for entry in atom.iter(f"{ATOM}entry")}
    assert set(entries) == {"Live bird post", "Live other post"}
    bird = entries["Live bird post"]
    assert bird.find(f"{ATOM}link").get("href") == "http://127.0.0.1:8000/posts/live-bird-post/"
    assert [category.get("term") for category in bird.iter(f"{ATOM}category")] == ["birds"]
    rss = ET.fromstring(client.get("/feed/").content)
    assert {item.findtext("title") for item in rss.iter("item")} == {"Live bird post", "Live other post"}
    assert client.get("/feed/")["Content-Type"].startswith("application/rss+xml")


def test_tag_feed_lists_only_posts_with_the_tag(client, posts):
    rss = ET.fromstring(client.get("/tags/birds/feed/").content)
    assert [item.findtext("title") for item in rss.iter("item")] == ["Live bird post"]
    assert rss.find("channel").findtext("link") == "http://127.0.0.1:8000/tags/birds/"


def test_sitemap_lists_home_live_posts_and_public_tags(client, posts):
    TagFactory(name="only drafts", slug="only-drafts")
    response = client.get("/sitemap.xml", HTTP_HOST="localhost")
    locations = {loc.text for loc in ET.fromstring(response.content).iter(f"{SITEMAP}loc")}
    assert locations == {
        "http://127.0.0.1:8000/",
        "http://127.0.0.1:8000/posts/live-bird-post/",
        "http://127.0.0.1:8000/posts/live-other-post/",
        "http://127.0.0.1:8000/tags/birds/",
    }
