"""Health endpoints for load balancers, orchestrators and uptime checks.

- ``/healthz/live``: the process is up and answers; no dependency is asked, so it is 200 whenever a
  worker can run a view (a failing database must not get every process restarted).
- ``/healthz/ready``: the database answers ``SELECT 1`` within ``HEALTHZ_DB_TIMEOUT_MS`` (a
  ``SET LOCAL statement_timeout``); 200, or 503 with ``Retry-After`` so traffic goes elsewhere meanwhile.
- ``/healthz``: database, cache and media storage; 200 with ``{"status": "ok", ...}`` when all three
  answer, 503 naming each failing part (``{"status": "failing", "failing": ["cache"], ...}``).

The bodies are public: they name the failing part and the error's class, never its message (which
holds host names, ports and paths); the full error goes to the log. All are exempt from the HTTPS
redirect so a proxy can probe the backend over plain HTTP, and never cached.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_safe

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_database_quickly(query: str = "SELECT 1") -> None:
    """``query`` under HEALTHZ_DB_TIMEOUT_MS: a statement timeout local to its transaction (SET LOCAL)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('statement_timeout', %s, true)", [f"{settings.HEALTHZ_DB_TIMEOUT_MS}ms"])
        cursor.execute(query)
        cursor.fetchone()


def check_cache() -> None:
    key, value = f"healthz:{secrets.token_hex(8)}", secrets.token_hex(8)
    cache.set(key, value, timeout=30)
    if cache.get(key) != value:
        raise RuntimeError("the cache did not return the value just stored")
    cache.delete(key)


def check_storage() -> None:
    """Write, read back and delete a small probe file: uploads need all three."""
    name = default_storage.save(f"healthz/{secrets.token_hex(8)}.txt", ContentFile(b"ok"))
    try:
        with default_storage.open(name) as handle:
            if handle.read() != b"ok":
                raise RuntimeError("the storage did not return the file just written")
    finally:
        default_storage.delete(name)


CHECKS: dict[str, Callable[[], None]] = {
    "database": check_database,
    "cache": check_cache,
    "storage": check_storage,
}


def run_checks(checks: dict[str, Callable[[], None]]) -> tuple[dict, list[str]]:
    """Each check's public result, and the names of those that failed (their errors are logged)."""
    results, failing = {}, []
    for name, check in checks.items():
        started = time.perf_counter()
        try:
            check()
        except Exception as error:  # any failure of a part is the answer, not a 500
            logger.error("healthz: %s failing: %s: %s", name, type(error).__name__, str(error).strip())
            failing.append(name)
            results[name] = {"ok": False, "error": type(error).__name__}
        else:
            results[name] = {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1)}
    return results, failing


@never_cache
@require_GET
def healthz(request):
    results, failing = run_checks(CHECKS)
    body = {"status": "failing" if failing else "ok", "failing": failing, "checks": results}
    return JsonResponse(body, status=503 if failing else 200)


@never_cache
@require_safe
def live(request):
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def ready(request):
    _, failing = run_checks({"database": check_database_quickly})
    if not failing:
        return JsonResponse({"status": "ready"})
    response = JsonResponse({"status": "unavailable", "failing": failing}, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
