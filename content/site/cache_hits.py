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
"""

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.common import CommonMiddleware
from django.urls import Resolver404, get_resolver


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
        match = get_resolver(getattr(request, "urlconf", None)).resolve(request.path_info)
    except (DisallowedHost, Resolver404):
        return None
    cached_response = getattr(match.func, "cached_response", None)
    if cached_response is None:
        return None
    try:
        response = cached_response(request, *match.args, **match.kwargs)
    except Exception:  # kept by the page cache and raised again in the view, where the fault middleware answers
        return None
    if response is not None:
        request.resolver_match = match  # for the request metrics' view label
    return response
