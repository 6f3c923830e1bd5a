"""A database that cannot answer is a 503 with ``Retry-After``, never a 500, on public pages and in the admin.

``OperationalError`` and ``InterfaceError`` mean the database is down, restarting, refusing connections or
past a timeout (connect, statement, lock): the request may well succeed in a moment, so clients, crawlers
and load balancers are told to come back (``Retry-After``) with a page in the site's own style. The middleware
answers for exceptions raised by views; ``server_error`` (``handler500``) for those raised anywhere else, such
as a session saved in a middleware. Both pages are rendered without the database: no context processor that
could query runs (the site's own only reverses addresses).
"""

import logging
import sys

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers
from django.views import defaults

from common.database import UNREACHABLE
from content.site.context_processors import site

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30


def database_unavailable(error: BaseException | None) -> bool:
    """Whether ``error`` says the database could not answer (rather than a bug in a query)."""
    return isinstance(error, UNREACHABLE)


def _page(template: str, request: HttpRequest, status: int) -> HttpResponse:
    response = HttpResponse(render_to_string(template, site(request)), status=status)
    add_never_cache_headers(response)
    return response


def unavailable_response(request: HttpRequest) -> HttpResponse:
    response = _page("503.html", request, 503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _log(request: HttpRequest, error: BaseException) -> None:
    first_line = (str(error).strip().splitlines() or [""])[0]
    logger.error(
        "database unavailable for %s %s: %s: %s", request.method, request.path, type(error).__name__, first_line
    )


class DatabaseUnavailableMiddleware:
    """Answers 503 for a view that failed because the database could not answer."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not database_unavailable(exception):
            return None
        _log(request, exception)
        return unavailable_response(request)


def server_error(request: HttpRequest, template_name: str = defaults.ERROR_500_TEMPLATE_NAME) -> HttpResponse:
    """``handler500``: a 503 when the error is the database's, else the site's own 500 page."""
    error = sys.exc_info()[1]
    if database_unavailable(error):
        _log(request, error)
        return unavailable_response(request)
    try:
        return _page(template_name, request, 500)
    except Exception:  # the page itself failed: Django's plain one
        return defaults.server_error(request, template_name)
