"""Request ids: the proxy's or a new one, on every log line a request causes and on its response, so that the
proxy's, gunicorn's and the site's lines about one request can be joined.

The id is cleared by ``request_finished`` (sent when the server closes the response), not when the middleware
returns: Django logs a 4xx/5xx after the middleware, and the development server its access line after writing.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.core.signals import request_finished

DEFAULT_HEADER = "X-Request-ID"
# An id from the proxy is kept only when it is short printable ASCII without spaces, quotes or backslashes:
# it lands in every log line, and a client may have sent it.
VALID_ID = re.compile(r"[!#-\[\]-~]{1,200}")
VALID_HEADER = re.compile(r"[A-Za-z0-9-]+")


@dataclass(frozen=True)
class Current:
    request_id: str
    started: float  # time.perf_counter()


_current: ContextVar[Current | None] = ContextVar("blog_request", default=None)


def valid_request_id(value: str | None) -> bool:
    return bool(value) and VALID_ID.fullmatch(value) is not None


def new_request_id() -> str:
    return uuid.uuid4().hex


def current_request_id() -> str | None:
    current = _current.get()
    return current.request_id if current else None


def request_id_middleware(get_response):
    """Outermost middleware: every response, a 503 or a static file included, carries the id back."""

    def middleware(request):
        header = settings.REQUEST_ID_HEADER
        sent = request.META.get("HTTP_" + header.upper().replace("-", "_"))
        request.request_id = sent if valid_request_id(sent) else new_request_id()
        _current.set(Current(request.request_id, time.perf_counter()))
        response = get_response(request)
        response[header] = request.request_id
        return response

    return middleware


def _forget(**kwargs) -> None:
    _current.set(None)


request_finished.connect(_forget, dispatch_uid="blog_project.request_log")


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record logged while a request is served; to the development server's
    access line (``django.server``) also the request's ``duration_ms``."""

    def filter(self, record: logging.LogRecord) -> bool:
        current = _current.get()
        if current is not None:
            record.request_id = current.request_id
            if record.name == "django.server":
                record.duration_ms = round((time.perf_counter() - current.started) * 1000, 1)
        return True
