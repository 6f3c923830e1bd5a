"""Post pages rendered once per version of what they show, in each process.

The post page's query always runs (``selectors.live_post_page``): it returns the digest of the row versions
the page is made from and, only when that digest is not the one this process rendered last, the post with its
sections, tags and introduction. An unchanged post's page is then the HTML rendered for that digest: no model
instances, keys, anchors, SEO or template. This is not the page cache: nothing is trusted without asking the
database, so a page is never older than the rows it shows, whatever wrote them, and it works with the page
cache off. It pays where the page cache cannot: with the page cache off, after a cached page expired or was
evicted, and after a change the page cache counts as one to this post (say its tag renamed) that left the rows
this page is made from as they were.

Kept per process, least recently used first out, up to ``MAX_BYTES`` of HTML. Staff previews are never kept.
"""

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import get_script_prefix
from django.utils import timezone, translation

from content.fingerprint import render_fingerprint
from content.site import post_page, selectors
from content.site.kept_pages import BoundedPages

MAX_BYTES = 32 * 2**20
TEMPLATE = "content/post_detail.html"


@dataclass(frozen=True)
class _Rendered:
    digest: str
    surroundings: tuple  # what else the HTML is made from (see ``_surroundings``)
    content: bytes


kept = BoundedPages(MAX_BYTES, size=lambda rendered: len(rendered.content))


def _surroundings() -> tuple:
    """The code, templates and settings pages are made with, and what a request could change of them."""
    return (render_fingerprint(), get_script_prefix(), translation.get_language(), timezone.get_current_timezone())


def live_page(request: HttpRequest, slug: str) -> HttpResponse:
    """The page of the live post ``slug``, rendered only when its version is not the one kept; raises
    Post.DoesNotExist."""
    surroundings = _surroundings()
    known = kept.get(slug)
    if known is not None and known.surroundings != surroundings:
        known = None
    digest, post = selectors.live_post_page(slug, known.digest if known else None)
    if post is None:
        assert known is not None  # the query returns no post only for the digest it was given
        return HttpResponse(known.content)
    response = render(request, TEMPLATE, post_page.context(post, preview=False))
    kept.put(slug, _Rendered(digest, surroundings, response.content))
    return response
