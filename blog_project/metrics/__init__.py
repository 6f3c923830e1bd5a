"""``/metrics`` in Prometheus's text format (README, "Metrics").

- ``requests``: the middleware counting requests and timing them by view and status;
- ``collectors``: what is read at scrape time from the database and ``BACKUP_DIR``, the same in every process;
- ``views``: the endpoint, its token or address check, and prometheus-client's multiprocess mode.

The page cache's counters and the watcher's health are the site's own (``content/site/cache_metrics.py``).
"""
