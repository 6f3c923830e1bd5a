"""Requests counted and timed by view and status: the resolved URL's name, never the path (bounded labels)."""

import time

from django.conf import settings
from prometheus_client import Counter, Histogram

REQUESTS = Counter("blog_http_requests", "HTTP requests answered, by view (URL name) and status.", ["view", "status"])
LATENCY = Histogram(
    "blog_http_request_duration_seconds",
    "Time from the first middleware to the response, by view (URL name) and status.",
    ["view", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
STATIC = "static"  # files WhiteNoise served before any URL was resolved
UNRESOLVED = "unresolved"  # no URL matched (404), or answered before resolving (HTTPS redirect, 400)


def view_name(request) -> str:
    match = getattr(request, "resolver_match", None)
    if match is not None:
        return match.view_name  # "namespace:name", or the view's dotted path for an unnamed URL
    if request.path_info.startswith(settings.STATIC_URL):
        return STATIC
    return UNRESOLVED


def request_metrics(get_response):
    """Before every middleware that answers, so the time and status are those the client gets.

    Each (view, status) pair's two children are looked up once per process and kept: the labels are bounded
    (URL names and statuses), and prometheus-client's own lookup, checked and locked, cost 4 µs a request."""
    children: dict[tuple[str, int], tuple] = {}

    def middleware(request):
        started = time.perf_counter()
        response = get_response(request)
        labels = (view_name(request), response.status_code)
        counted = children.get(labels)
        if counted is None:
            status = str(labels[1])
            counted = children[labels] = (REQUESTS.labels(labels[0], status), LATENCY.labels(labels[0], status))
        counted[0].inc()
        counted[1].observe(time.perf_counter() - started)
        return response

    return middleware
