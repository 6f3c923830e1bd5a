"""Addresses of public pages, reversed once per script prefix and name.

``reverse()`` is dear next to the rest of a page, and a page links the same few addresses every time
(its post, its tags, the feeds in the header), so each is resolved once per process.
Keyed by the script prefix, so a site mounted under a path gets its own addresses.
"""

from functools import lru_cache

from django.templatetags.static import static
from django.urls import get_script_prefix, reverse


@lru_cache(maxsize=8192)
def _reversed(script_prefix: str, name: str, slug: str | None) -> str:
    return reverse(name, kwargs={"slug": slug}) if slug is not None else reverse(name)


def page_path(name: str, slug: str | None = None) -> str:
    """``reverse(name)``, or ``reverse(name, kwargs={"slug": slug})``, remembered."""
    return _reversed(get_script_prefix(), name, slug)


@lru_cache(maxsize=64)
def _site_links(script_prefix: str) -> dict[str, str]:
    return {
        "home": reverse("content:post_list"),
        "search": reverse("content:search"),
        "feed_atom": reverse("content:feed_atom"),
        "feed_rss": reverse("content:feed_rss"),
        "stylesheet": static("css/site.css"),
    }


def site_links() -> dict[str, str]:
    """What the header and footer of every public page link to."""
    return _site_links(get_script_prefix())
