"""sitemap.xml: the index, every live post and every tag that has one."""

from types import SimpleNamespace
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from content.site import selectors


class _SiteUrlSitemap(Sitemap):
    """Addresses on SITE_URL, whatever host name the request came in on."""

    def get_urls(self, page=1, site=None, protocol=None):
        site_url = urlsplit(settings.SITE_URL)
        return super().get_urls(page=page, site=SimpleNamespace(domain=site_url.netloc), protocol=site_url.scheme)


class HomeSitemap(_SiteUrlSitemap):
    changefreq = "daily"
    priority = 1.0

    def items(self) -> list[str]:
        return ["content:post_list"]

    def location(self, name: str) -> str:
        return reverse(name)


class PostSitemap(_SiteUrlSitemap):
    changefreq = "weekly"
    priority = 0.8

    def items(self):
        return selectors.sitemap_posts()

    def lastmod(self, post):
        return post.updated_at or post.published_at


class TagSitemap(_SiteUrlSitemap):
    changefreq = "weekly"
    priority = 0.4

    def items(self):
        return selectors.public_tags()

    def location(self, tag) -> str:
        return reverse("content:tag_detail", kwargs={"slug": tag.slug})


SITEMAPS = {"home": HomeSitemap, "posts": PostSitemap, "tags": TagSitemap}
