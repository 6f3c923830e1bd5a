"""Caching of public pages that is never stale, in any process, with any cache backend.

Every cached page is stored under a key made of:

- the content generation, a number PostgreSQL raises in the same transaction as any
  change to posts, sections, tags or images (migration ``0003_content_generation``);
- the time the next scheduled post goes live, so a post appears the moment it is due
  even though no row changed;
- a fingerprint of the settings and templates the page is rendered from;
- the path and the query parameters the view reads.

Both numbers come from this process's content-state watcher (LISTEN/NOTIFY, no query), or
from one cheap query when it cannot answer (content/content_state.py). A change makes every
older key unreachable at once (they expire from the cache on their own), so a LocMem cache
per process is as correct as Redis shared by all: only the hit rate differs. The same key,
hashed, is the page's ETag, so a revalidating browser gets 304 without rendering.
"""

import hashlib
from collections.abc import Callable, Iterable
from functools import cache, wraps
from pathlib import Path

from django.conf import settings
from django.core.cache import cache as page_store
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response

from content.content_state import ContentState, current_content_state

CACHE_PREFIX = "public-page"


def render_fingerprint() -> str:
    """Changes when a setting shown on pages or any template changes (a deploy, say).

    Computed once per process, except with DEBUG on, where templates change under a running server.
    """
    return _fingerprint() if settings.DEBUG else _fingerprint_once()


def _fingerprint() -> str:
    digest = hashlib.sha256(f"{settings.SITE_NAME}|{settings.SITE_URL}|{settings.MEDIA_URL}".encode())
    for template in sorted(Path(settings.BASE_DIR, "templates").rglob("*")):
        if template.is_file():
            digest.update(template.read_bytes())
    return digest.hexdigest()[:16]


_fingerprint_once = cache(_fingerprint)


def page_key(request: HttpRequest, state: ContentState, params: Iterable[str]) -> str:
    query = "&".join(f"{name}={request.GET.get(name, '')}" for name in params)
    next_change = state.next_change.timestamp() if state.next_change else ""
    raw = f"{render_fingerprint()}|{state.generation}|{next_change}|{request.path}|{query}"
    return f"{CACHE_PREFIX}:{hashlib.sha256(raw.encode()).hexdigest()}"


def _revalidated(etag: str) -> dict[str, str]:
    """Browsers and proxies may keep the page but must ask again (with its ETag) before using it."""
    return {"ETag": etag, "Cache-Control": "public, no-cache"}


def _is_private(response: HttpResponse) -> bool:
    control = response.get("Cache-Control", "")
    return "private" in control or "no-store" in control


def cached_public_page(*, params: Iterable[str] = ()) -> Callable:
    """Serve a GET view from the page cache; ``params`` are the query parameters it reads.

    Only 200 responses that the view did not mark private (a staff preview) are stored.
    """
    params = tuple(params)

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method not in ("GET", "HEAD"):
                return view(request, *args, **kwargs)
            key = page_key(request, current_content_state(), params)
            etag = f'"{key.rsplit(":", 1)[1][:32]}"'
            not_modified = get_conditional_response(request, etag=etag)
            if not_modified is not None:
                return not_modified
            stored = page_store.get(key)
            if stored is not None:
                content, content_type = stored
                return HttpResponse(content, content_type=content_type, headers=_revalidated(etag))
            response = view(request, *args, **kwargs)
            if callable(getattr(response, "render", None)):
                response.render()  # a TemplateResponse, such as the sitemap's
            if response.status_code != 200 or response.streaming or _is_private(response):
                return response
            page_store.set(key, (response.content, response["Content-Type"]), settings.PUBLIC_CACHE_SECONDS)
            for name, value in _revalidated(etag).items():
                response[name] = value
            return response

        return wrapper

    return decorator
