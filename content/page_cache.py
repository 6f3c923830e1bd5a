"""Caching of public pages that is never stale, in any process, with any cache backend.

Every cached page is stored under a key made of:

- the content generation, a number PostgreSQL raises in the same transaction as any
  change to posts, sections, tags or images (migration ``0003_content_generation``);
- the time the next scheduled post goes live, so a post appears the moment it is due
  even though no row changed;
- a fingerprint of the settings and templates the page is rendered from;
- the path and the query parameters the view reads.

Both numbers come from one cheap query per request. A change makes every older key
unreachable at once (they expire from the cache on their own), so a LocMem cache per
process is as correct as Redis shared by all: only the hit rate differs. The same key,
hashed, is the page's ETag, so a revalidating browser gets 304 for that one query.
"""

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import cache, wraps
from pathlib import Path

from django.conf import settings
from django.core.cache import cache as page_store
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control

CACHE_PREFIX = "public-page"


@dataclass(frozen=True)
class ContentState:
    generation: int
    next_change: datetime | None


def content_state() -> ContentState:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM content_state()")  # migration 0007: planned once per connection
        generation, next_change = cursor.fetchone()
    return ContentState(generation, next_change)


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
            key = page_key(request, content_state(), params)
            etag = f'"{key.rsplit(":", 1)[1][:32]}"'
            not_modified = get_conditional_response(request, etag=etag)
            if not_modified is not None:
                return not_modified
            stored = page_store.get(key)
            if stored is not None:
                content, content_type = stored
                response = HttpResponse(content, content_type=content_type)
            else:
                response = view(request, *args, **kwargs)
                if callable(getattr(response, "render", None)):
                    response.render()  # a TemplateResponse, such as the sitemap's
                if response.status_code != 200 or response.streaming or _is_private(response):
                    return response
                page_store.set(key, (response.content, response["Content-Type"]), settings.PUBLIC_CACHE_SECONDS)
            response["ETag"] = etag
            patch_cache_control(response, public=True, no_cache=True)
            return response

        return wrapper

    return decorator
