"""Cached public pages answered before the middleware that only a view needs.

A page the cache holds is the same for every reader: sessions, CSRF, the user, messages and the login throttle
play no part in it, and on a hit they change nothing in the answer (no cookie is read or set, nothing varies).
Yet they cost more than the hit itself. So this middleware, placed after those that answer for every request
(request id, metrics, HTTPS and security headers, database faults, static files, the path guard, the CSP) and
before the rest, resolves the URL and, when the view is a cached public page (``content.site.views.public_page``)
and the cache holds the page, answers with it: the same bytes and headers the view would have given, with the
two headers the skipped middleware add to every response (``Content-Length``, ``X-Frame-Options``), both from
Django's own classes. A miss, any other view, an address that does not resolve or a host not allowed go on down
the stack as before, the lookup kept on the request so the view does not repeat it.

Resolving a path against every URL pattern costs more than the rest of a hit; the match of each path that
resolved to a cached public page is remembered (``MATCHES`` of them, per URLconf), as the patterns only change
with the code.
"""

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.common import CommonMiddleware
from django.urls import Resolver404, ResolverMatch, get_resolver

MATCHES = 4096  # paths of cached public pages whose match is remembered; then all are forgotten at once
_matches: dict[tuple, ResolverMatch] = {}


def answer_cached_pages(get_response):
    common, frame_options = CommonMiddleware(get_response), XFrameOptionsMiddleware(get_response)

    def middleware(request: HttpRequest) -> HttpResponse:
        response = _cached_answer(request) if request.method in ("GET", "HEAD") else None
        if response is None:
            return get_response(request)
        response = common.process_response(request, response)
        return frame_options.process_response(request, response)

    return middleware


def _cached_answer(request: HttpRequest) -> HttpResponse | None:
    if not settings.PUBLIC_CACHE_SECONDS:  # the page cache is off: there is nothing to answer with
        return None
    try:
        request.get_host()  # a host not allowed is refused further down (CommonMiddleware), as for any page
        match = _public_page_match(get_resolver(getattr(request, "urlconf", None)), request.path_info)
    except (DisallowedHost, Resolver404):
        return None
    if match is None:
        return None
    cached_response = match.func.cached_response
    try:
        response = cached_response(request, *match.args, **match.kwargs)
    except Exception:  # kept by the page cache and raised again in the view, where the fault middleware answers
        return None
    if response is not None:
        request.resolver_match = match  # for the request metrics' view label
    return response


def _public_page_match(resolver, path: str) -> ResolverMatch | None:
    """The match of ``path`` when its view is a cached public page, else None; raises Resolver404."""
    match = _matches.get((resolver, path))
    if match is None:
        match = resolver.resolve(path)
        if getattr(match.func, "cached_response", None) is None:
            return None
        if len(_matches) >= MATCHES:
            _matches.clear()
        _matches[(resolver, path)] = match  # the resolver in the key: another URLconf resolves anew
    return match
