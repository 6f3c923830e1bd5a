"""Public pages. Thin: selectors read, templates render, the page cache remembers."""

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.views.decorators.http import require_safe

from content import search
from content.models import Post
from content.paths import page_path
from content.site import page_versions, post_page, rendered_posts, selectors
from content.site.page_cache import cached_public_page
from content.site.security import public_headers


def public_page(*, shows, params=()):
    """A GET-only public view: security headers and the page cache (``shows``: what the page shows, see
    ``content.site.page_versions``; ``params``: the query parameters it reads). Its ``cached_response`` is
    what ``content.site.cache_hits`` answers a cached page with, before the middleware a view needs."""

    def decorator(view):
        cached = cached_public_page(shows=shows, params=params)(view)
        secured = public_headers(cached)
        page = require_safe(secured)

        def cached_response(request: HttpRequest, *args, **kwargs) -> HttpResponse | None:
            response = cached.cache_answer(request, *args, **kwargs)
            return None if response is None else secured.secured(response)

        page.cached_response = cached_response
        return page

    return decorator


def _page(request: HttpRequest, posts) -> Page:
    page = Paginator(posts, settings.POSTS_PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = selectors.attach_lead_images(page.object_list)
    return page


@public_page(shows=page_versions.post_list, params=["page"])
def post_list(request: HttpRequest) -> HttpResponse:
    return render(request, "content/post_list.html", {"page": _page(request, selectors.live_posts())})


@public_page(shows=page_versions.post_list, params=["page"])
def tag_detail(request: HttpRequest, slug: str) -> HttpResponse:
    posts = selectors.live_posts_tagged(slug)
    page = _page(request, posts)
    tag = selectors.tag_named(page.object_list, slug)
    if tag is None:
        raise Http404("No such tag.")
    return render(request, "content/tag_detail.html", {"page": page, "tag": tag})


@public_page(shows=page_versions.post_page)
def post_detail(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        return rendered_posts.live_page(request, slug)
    except Post.DoesNotExist:
        pass
    moved_to = selectors.moved_post_slug(slug)
    if moved_to is not None:
        return HttpResponsePermanentRedirect(page_path("content:post_detail", moved_to))
    if not request.user.has_perm("content.view_post"):
        raise Http404("No such post.")
    try:
        post = selectors.preview_post_page(slug)
    except Post.DoesNotExist:
        raise Http404("No such post.") from None
    response = render(request, rendered_posts.TEMPLATE, post_page.context(post, preview=True))
    add_never_cache_headers(response)
    patch_cache_control(response, private=True)
    response["X-Robots-Tag"] = "noindex"
    return response


@require_safe
@public_headers
def search_results(request: HttpRequest) -> HttpResponse:
    text = search.clean_query(request.GET.get("q"))
    page = None
    if text:
        results = selectors.search_posts(text, per_page=settings.POSTS_PER_PAGE, page=request.GET.get("page"))
        page = _page(request, results)
        for post in page.object_list:
            post.title_html = search.highlight(post.title_marked)
            post.snippet_html = search.highlight(post.snippet_marked)
    return render(request, "content/search.html", {"query": text, "page": page})


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    site = settings.SITE_URL.rstrip("/")
    lines = ["User-agent: *", "Disallow: /admin/", "Disallow: /search/", "", f"Sitemap: {site}/sitemap.xml"]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
