"""Log every SQL statement slower than SLOW_QUERY_MS (a warning on ``blog_project.slow_queries``).

The wrapper is installed on each new database connection (``connection_created``), so it
covers requests, commands and task workers alike. The statement is logged without its
parameters, which may hold personal data.
"""

from __future__ import annotations

import logging
import time

from django.conf import settings

logger = logging.getLogger(__name__)


def log_slow_queries(execute, sql, params, many, context):
    threshold = settings.SLOW_QUERY_MS
    if not threshold:
        return execute(sql, params, many, context)
    started = time.perf_counter()
    try:
        return execute(sql, params, many, context)
    finally:
        duration_ms = (time.perf_counter() - started) * 1000
        if duration_ms >= threshold:
            logger.warning(
                "slow query (%.0f ms): %s",
                duration_ms,
                sql[:2000],
                extra={"duration_ms": round(duration_ms, 1), "database": context["connection"].alias},
            )


def install(sender, connection, **kwargs) -> None:
    if log_slow_queries not in connection.execute_wrappers:
        connection.execute_wrappers.append(log_slow_queries)
