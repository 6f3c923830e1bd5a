"""The page cache's counters and the content-state watcher's health, exported by the project's ``/metrics``.

Incremented on the hot path: a prometheus-client ``Counter.inc()`` is a lock and an addition (an mmap write
in multiprocess mode), nothing more.
"""

from prometheus_client import Counter, Gauge

PAGE_CACHE_HITS = Counter(
    "blog_page_cache_hits",
    "Public pages answered without rendering: from the page cache, or 304 by the cached page's ETag.",
)
PAGE_CACHE_MISSES = Counter(
    "blog_page_cache_misses",
    "Public pages rendered because the page cache did not hold them (or could not be asked).",
)
# One value per process that started a watcher (labelled by its channel, so that a process without one shows
# nothing rather than 0); across a machine's gunicorn workers (multiprocess mode) the lowest of the live ones.
WATCHER_HEALTHY = Gauge(
    "blog_content_state_watcher_healthy",
    "1 while the content-state watcher listens and has read the state recently, 0 while it reconnects.",
    ["channel"],
    multiprocess_mode="livemin",
)
