"""The ``/metrics`` endpoint: who may read it, and which registry answers.

With ``METRICS_TOKEN`` set, a request must carry ``Authorization: Bearer <token>`` (else 401). Without it,
only clients whose address (``login_throttle.client_ip``: ``REMOTE_ADDR``, or behind ``TRUSTED_PROXY_COUNT``
proxies the client's) is in ``METRICS_ALLOWED_IPS`` get an answer; others get 404, as if nothing were there.

With ``PROMETHEUS_MULTIPROC_DIR`` set (before the process starts), prometheus-client keeps each process's
counters in files there and this view sums every process of the machine; without it, each process reports
its own counters only.
"""

import ipaddress
import os
import re
import secrets
from functools import cache
from pathlib import Path

from django.conf import settings
from django.http import Http404, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4

from blog_project.login_throttle import client_ip
from blog_project.metrics.collectors import ScrapeTimeCollector
from content.site.content_state import watcher_health

SCRAPE_TIME = ScrapeTimeCollector()
_LIVE_GAUGE_FILE = re.compile(r"^gauge_live[a-z]+_(?P<pid>\d+)\.db$")


@cache
def allowed_networks(addresses: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(address, strict=False) for address in addresses)


def address_allowed(address: str | None) -> bool:
    try:
        client = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    if client.version == 6 and client.ipv4_mapped:
        client = client.ipv4_mapped
    return any(client in network for network in allowed_networks(tuple(settings.METRICS_ALLOWED_IPS)))


def _unauthorized() -> HttpResponse:
    return HttpResponse(
        "A bearer token is required.\n", status=401, headers={"WWW-Authenticate": 'Bearer realm="metrics"'}
    )


def multiprocess_dir() -> Path | None:
    path = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    return Path(path) if path else None


def forget_dead_processes(directory: Path) -> None:
    """Drop the per-process gauges of processes gone (gunicorn replaced a worker); their counters stay summed."""
    for path in directory.glob("gauge_live*.db"):
        match = _LIVE_GAUGE_FILE.match(path.name)
        if not match:
            continue
        pid = int(match["pid"])
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            multiprocess.mark_process_dead(pid, str(directory))
        except PermissionError:  # alive, another user's
            pass


class _Combined:
    """This process's registry and the scrape-time sources, as one collector for ``generate_latest``."""

    def __init__(self, *collectors):
        self._collectors = collectors

    def collect(self):
        for collector in self._collectors:
            yield from collector.collect()


def registry():
    directory = multiprocess_dir()
    if directory is None:
        return _Combined(REGISTRY, SCRAPE_TIME)
    forget_dead_processes(directory)
    machine = CollectorRegistry()
    multiprocess.MultiProcessCollector(machine, path=str(directory))
    return _Combined(machine, SCRAPE_TIME)


@never_cache
@require_safe
def metrics(request):
    token = settings.METRICS_TOKEN
    if token:
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not secrets.compare_digest(given.strip().encode(), token.encode()):
            return _unauthorized()
    elif not address_allowed(client_ip(request)):
        raise Http404
    watcher_health()  # this process's own, read now
    return HttpResponse(generate_latest(registry()), content_type=CONTENT_TYPE_PLAIN_0_0_4)
