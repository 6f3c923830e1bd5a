"""Atom and RSS feeds of the latest posts, for the whole site and per tag."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed

from common.text import without_control_characters
from content.models import Tag
from content.site import selectors
from content.site.page_versions import PostList
from content.site.seo import absolute_url

FEED_ITEMS = 20


def shown(request, slug: str | None = None, **kwargs) -> PostList:
    """What a feed shows, for the page cache: the latest ``FEED_ITEMS`` live posts (with the tag ``slug``)."""
    return PostList(slug, FEED_ITEMS)


def _visible(value):
    if isinstance(value, str):
        return without_control_characters(value)
    if isinstance(value, (list, tuple)):
        return [_visible(item) for item in value]
    return value


class VisibleTextMixin:
    """XML 1.0 has no place for control characters: stored text that holds one (raw SQL, a restore) is
    shown without them instead of failing the whole feed."""

    def __init__(self, *args, **kwargs):
        super().__init__(*map(_visible, args), **{name: _visible(value) for name, value in kwargs.items()})

    def add_item(self, *args, **kwargs):
        super().add_item(*map(_visible, args), **{name: _visible(value) for name, value in kwargs.items()})


class RssFeed(VisibleTextMixin, Rss201rev2Feed):
    pass


class AtomFeed(VisibleTextMixin, Atom1Feed):
    pass


class LatestPostsFeed(Feed):
    """RSS 2.0 of the site; ``AtomLatestPostsFeed`` is the same as Atom."""

    url_name = "content:feed_rss"
    feed_type = RssFeed

    def title(self) -> str:
        return settings.SITE_NAME

    def description(self) -> str:
        return f"The latest posts of {settings.SITE_NAME}."

    subtitle = description

    def link(self) -> str:
        return absolute_url(reverse("content:post_list"))

    def feed_url(self) -> str:
        return absolute_url(reverse(self.url_name))

    def items(self):
        return selectors.live_posts()[:FEED_ITEMS]

    def item_title(self, post) -> str:
        return post.title

    def item_description(self, post) -> str:
        return post.summary or post.subtitle or ""

    def item_link(self, post) -> str:
        return absolute_url(post.get_absolute_url())

    def item_pubdate(self, post):
        return post.published_at

    def item_updateddate(self, post):
        return post.updated_at or post.published_at

    def item_categories(self, post) -> list[str]:
        return [tag.name for tag in post.tag_list]


class AtomLatestPostsFeed(LatestPostsFeed):
    feed_type = AtomFeed
    url_name = "content:feed_atom"


class TagFeed(LatestPostsFeed):
    url_name = "content:tag_feed_rss"

    def get_object(self, request, slug: str) -> Tag:
        """Only a tag readers can see (it has a live post); unknown tags are 404."""
        return selectors.public_tags().get(slug=slug)

    def title(self, tag: Tag) -> str:
        return f"{settings.SITE_NAME}: {tag.name}"

    def description(self, tag: Tag) -> str:
        return f"Posts tagged “{tag.name}” on {settings.SITE_NAME}."

    subtitle = description

    def link(self, tag: Tag) -> str:
        return absolute_url(reverse("content:tag_detail", kwargs={"slug": tag.slug}))

    def feed_url(self, tag: Tag) -> str:
        return absolute_url(reverse(self.url_name, kwargs={"slug": tag.slug}))

    def items(self, tag: Tag):
        return selectors.live_posts_tagged(tag.slug)[:FEED_ITEMS]


class AtomTagFeed(TagFeed):
    feed_type = AtomFeed
    url_name = "content:tag_feed_atom"
