"""Caching of public pages that is never stale, in any process, with any cache backend.

Every cached page is stored under a key made of:

- the version of what the page shows (``content/site/page_versions.py``): for a post page, its
  post's generation, a number PostgreSQL raises in the same transaction as any change readers
  see of that post (its fields, sections, tags, images; migration ``0012_post_generations``);
  for a list (index and tag pages, feeds, sitemap), the generations of the posts on it, its
  page count and the time its next scheduled post goes live, so a post appears the moment it is
  due even though no row changed;
- the render fingerprint (``content.fingerprint``): templates, the code and settings pages are made with;
- the path and the query parameters the view reads.

A change to a post makes the keys of its page and of the lists showing it unreachable in every
process at once (old entries expire from the cache on their own); every other page keeps its key,
and a change readers cannot see (a draft, a working copy, an unused image) keeps them all. The
version comes from this process's content-state watcher (LISTEN/NOTIFY, no query), or from one
cheap query when it cannot answer (content/site/content_state.py). So a LocMem cache per process is
as correct as Redis shared by all: only the hit rate differs. A page with no version (a slug no
published post has: a draft's preview, a redirect, a 404) is never cached. The key, hashed, is the
page's ETag, so a revalidating browser gets 304 without rendering.

A gzip copy is stored beside each page, compressed once when the page is stored, and sent
to clients that accept it (every browser): about a sixth of the bytes, for no CPU on a hit.
Its ETag is the same one made weak, as Django's GZipMiddleware does. Public pages carry no
secrets, so compressing them gives BREACH nothing to find.

Each process also keeps the cached pages it served last in its memory (``kept``, up to ``PUBLIC_CACHE_MEMORY_MB``):
what is stored under a key never changes, so that copy is as fresh as the configured cache's, and a hit on it
asks that cache nothing (with LocMem: no key check, lock or unpickling of tens of KB; with Redis: no round trip).

The cache is an optimisation, never a dependency: when it fails (Redis down, or slower than
``REDIS_TIMEOUT``) the error is logged and the page is rendered without it; for ``CACHE_RETRY_SECONDS``
after a failure this process does not ask it again, so a hung Redis slows one request, not every one.
"""

import gzip
import hashlib
import logging
import time
from collections.abc import Callable, Iterable
from functools import lru_cache, wraps

from django.conf import settings
from django.core.cache import cache as page_store
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response

from content.fingerprint import render_fingerprint
from content.site.cache_metrics import PAGE_CACHE_HITS, PAGE_CACHE_MISSES
from content.site.content_state import page_version
from content.site.kept_pages import BoundedPages
from content.site.page_versions import Shows

logger = logging.getLogger(__name__)

CACHE_PREFIX = "public-page"
MIN_COMPRESSED_BYTES = 200  # below this a gzip header costs more than it saves (GZipMiddleware's rule)
CACHE_RETRY_SECONDS = 5.0  # after a cache error, pages are rendered without the cache for this long
_cache_failed_until = 0.0
# The request headers get_conditional_response() reads: without any of them it answers None.
CONDITIONS = ("HTTP_IF_MATCH", "HTTP_IF_UNMODIFIED_SINCE", "HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE")


def _cache_failed(action: str, error: Exception) -> None:
    global _cache_failed_until
    _cache_failed_until = time.monotonic() + CACHE_RETRY_SECONDS
    logger.warning(
        "page cache %s failed (%s: %s); pages are rendered without it for %.0f s",
        action,
        type(error).__name__,
        str(error).strip().splitlines()[0] if str(error).strip() else "",
        CACHE_RETRY_SECONDS,
    )


def _stored_size(stored: tuple) -> int:
    content, _, compressed = stored
    return len(content) + (len(compressed) if compressed is not None else 0)


# Cached pages (stored tuples) by key in this process, the least recently served going first.
kept = BoundedPages(settings.PUBLIC_CACHE_MEMORY_MB * 2**20, size=_stored_size)


@receiver(setting_changed)
def _keep_anew(*, setting: str, **kwargs) -> None:
    """Another allowance or another cache: this process's copies start from nothing, as after a restart."""
    if setting in ("PUBLIC_CACHE_MEMORY_MB", "CACHES"):
        kept.clear(settings.PUBLIC_CACHE_MEMORY_MB * 2**20)


def _cached(key: str) -> tuple | None:
    stored = kept.get(key)
    if stored is not None or time.monotonic() < _cache_failed_until:
        return stored
    try:
        stored = page_store.get(key)
    except Exception as error:  # any failure of the cache is a miss: redis errors, timeouts, unpicklable data
        _cache_failed("read", error)
        return None
    if stored is not None:
        kept.put(key, stored)
    return stored


def _store(key: str, stored: tuple) -> None:
    kept.put(key, stored)
    if time.monotonic() < _cache_failed_until:
        return
    try:
        page_store.set(key, stored, settings.PUBLIC_CACHE_SECONDS)
    except Exception as error:  # the page is served all the same
        _cache_failed("write", error)


def page_key(request: HttpRequest, version: str, params: Iterable[str]) -> str:
    query = "&".join(f"{name}={request.GET.get(name, '')}" for name in params)
    raw = f"{render_fingerprint()}|{version}|{request.path}|{query}"
    return f"{CACHE_PREFIX}:{hashlib.sha256(raw.encode()).hexdigest()}"


def _revalidated(etag: str) -> dict[str, str]:
    """Browsers and proxies may keep the page but must ask again (with its ETag) before using it."""
    return {"ETag": etag, "Cache-Control": "public, no-cache", "Vary": "Accept-Encoding"}


def _compressed(content: bytes) -> bytes | None:
    if len(content) < MIN_COMPRESSED_BYTES:
        return None
    compressed = gzip.compress(content, compresslevel=6, mtime=0)
    return compressed if len(compressed) < len(content) else None


@lru_cache(maxsize=256)  # browsers send a handful of distinct values; parsing one costs more than the hit's lookup
def accepts_gzip(header: str) -> bool:
    """Whether ``Accept-Encoding`` admits gzip: named (or ``*``) with a quality above zero."""
    qualities = {}
    for part in header.split(","):
        coding, *params = (piece.strip() for piece in part.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        qualities[coding.lower()] = quality
    return qualities.get("gzip", qualities.get("x-gzip", qualities.get("*", 0.0))) > 0


def _stored_response(request: HttpRequest, stored: tuple, etag: str) -> HttpResponse:
    content, content_type, compressed = stored
    if compressed is not None and accepts_gzip(request.META.get("HTTP_ACCEPT_ENCODING", "")):
        headers = {**_revalidated(f"W/{etag}"), "Content-Encoding": "gzip"}
        return HttpResponse(compressed, content_type=content_type, headers=headers)
    return HttpResponse(content, content_type=content_type, headers=_revalidated(etag))


def _conditional_response(request: HttpRequest, etag: str) -> HttpResponse | None:
    """Django's answer to the request's conditions (a 304 or 412), None without any: most requests have none."""
    if not any(header in request.META for header in CONDITIONS):
        return None
    return get_conditional_response(request, etag=etag)


def _is_private(response: HttpResponse) -> bool:
    control = response.get("Cache-Control", "")
    return "private" in control or "no-store" in control


def _lookup(request: HttpRequest, shows: Callable[..., Shows], params: tuple, args, kwargs) -> tuple:
    """(version, key) of the page ``request`` asks for, worked out once per request (the early answer of
    ``content.site.cache_hits`` and the view both ask); version None: a page never cached. An error is kept
    too, and raised again in the view, where the fault middleware answers for it: no second wait for a
    database that cannot answer."""
    lookup = request.__dict__.get("_public_page_lookup")
    if lookup is None:
        try:
            version = page_version(shows(request, *args, **kwargs))
            lookup = (version, None if version is None else page_key(request, version, params))
        except Exception as error:
            lookup = error
        request._public_page_lookup = lookup
    if isinstance(lookup, Exception):
        raise lookup
    return lookup


def _etag(key: str) -> str:
    """The page's ETag: the hashed part of its key, which changes with everything the page is made from."""
    return f'"{key.rsplit(":", 1)[1][:32]}"'


def _asks_any_version(request: HttpRequest) -> bool:
    """``If-None-Match: *``: an ETag of ours names a page that existed; "*" must wait until this one is known
    to exist (stored, or just rendered)."""
    return request.META.get("HTTP_IF_NONE_MATCH", "").strip() == "*"


def _hit(request: HttpRequest, key: str) -> HttpResponse | None:
    """The answer from the cache for the page stored under ``key``: a 304 or the stored page; None on a miss."""
    etag, any_version = _etag(key), _asks_any_version(request)
    not_modified = None if any_version else _conditional_response(request, etag)
    if not_modified is not None:
        PAGE_CACHE_HITS.inc()
        return not_modified
    stored = _cached(key) if settings.PUBLIC_CACHE_SECONDS else None  # off: nothing was stored
    if stored is None:
        return None
    PAGE_CACHE_HITS.inc()
    return _stored_answer(request, stored, etag, any_version)


def _stored_answer(request: HttpRequest, stored: tuple, etag: str, any_version: bool) -> HttpResponse:
    """The answer with a stored page, from the cache or just rendered: for ``If-None-Match: *`` the 304 it now
    earns, else the page (compressed when the client accepts it)."""
    return get_conditional_response(request, etag=etag) if any_version else _stored_response(request, stored, etag)


def cached_public_page(*, shows: Callable[..., Shows], params: Iterable[str] = ()) -> Callable:
    """Serve a GET view from the page cache. ``shows(request, **kwargs)`` says what the page shows
    (``content.site.page_versions``), from the request and the view's URL arguments; ``params`` are
    the query parameters the view reads.

    Only 200 responses that the view did not mark private (a staff preview) are stored. The view gets
    ``cache_answer(request, *args, **kwargs)``: the answer from the cache alone, None when the view must run.
    """
    params = tuple(params)

    def decorator(view: Callable) -> Callable:
        def cached_response(request: HttpRequest, *args, **kwargs) -> HttpResponse | None:
            if request.method not in ("GET", "HEAD"):
                return None
            version, key = _lookup(request, shows, params, args, kwargs)
            return None if version is None else _hit(request, key)

        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method not in ("GET", "HEAD"):
                return view(request, *args, **kwargs)
            version, key = _lookup(request, shows, params, args, kwargs)
            if version is None:  # no published post is there: a preview, a redirect or a 404, never cached
                PAGE_CACHE_MISSES.inc()
                return view(request, *args, **kwargs)
            hit = _hit(request, key)
            if hit is not None:
                return hit
            PAGE_CACHE_MISSES.inc()
            response = view(request, *args, **kwargs)
            if callable(getattr(response, "render", None)):
                response.render()  # a TemplateResponse, such as the sitemap's
            if response.status_code != 200 or response.streaming or _is_private(response):
                return response
            caching = bool(settings.PUBLIC_CACHE_SECONDS)  # off: nothing to store, nothing to compress
            stored = (response.content, response["Content-Type"], _compressed(response.content) if caching else None)
            if caching:
                _store(key, stored)
            return _stored_answer(request, stored, _etag(key), _asks_any_version(request))  # as the hits will

        wrapper.cache_answer = cached_response
        return wrapper

    return decorator
