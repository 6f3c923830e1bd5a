"""What ``/metrics`` reads at scrape time: task queues, LLM calls, watcher sessions, backups, restore drills.

These come from the database and ``BACKUP_DIR``, so every process and every machine reports the same values
and no counter has to be shared. Each source is read on its own: one that fails (the database down, the
folder unreadable) is logged and reported as ``blog_metrics_source_up{source=...} 0``, and the others are
still reported; after a database that cannot answer, the other database sources are not asked this time.
"""

import contextlib
import logging
from collections.abc import Callable, Iterable, Iterator
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, Count, F, Min, Q, When
from django.db.models.functions import Greatest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max
from prometheus_client.core import GaugeMetricFamily, Metric

from blog_project.backups import files
from blog_project.backups.errors import BackupError
from blog_project.backups.manifest import Manifest
from common.database import UNREACHABLE
from content.site.content_state import CHANNEL
from llm.selectors import totals_by_model

logger = logging.getLogger(__name__)

LLM_WINDOW = timedelta(hours=24)
WATCHER_APPLICATION = "blog content-state watcher"  # content_state.listener_params' application_name


def _gauge(name: str, documentation: str, labels: Iterable[str] = ()) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, labels=list(labels))


def configured_queues() -> list[str]:
    return sorted({queue for backend in settings.TASKS.values() for queue in backend.get("QUEUES", ["default"])})


def task_metrics() -> Iterator[Metric]:
    now = timezone.now()
    depth = _gauge("blog_task_queue_depth", "Tasks waiting to run now (READY and due), by queue.", ["queue"])
    oldest = _gauge(
        "blog_task_queue_oldest_age_seconds",
        "How long the oldest waiting task has waited since it became due (0: none waiting), by queue.",
        ["queue"],
    )
    running = _gauge("blog_tasks_running", "Tasks a worker is running, by queue.", ["queue"])
    overran = _gauge(
        "blog_tasks_running_over_limit",
        "Running tasks started more than TASK_RUNNING_LIMIT_SECONDS ago (run_worker marks them failed), by queue.",
        ["queue"],
    )
    # A task scheduled for later waits from its run_after; one without waits from when it was enqueued.
    waiting_since = Case(
        When(run_after=get_date_max(), then=F("enqueued_at")), default=Greatest(F("enqueued_at"), F("run_after"))
    )
    waiting = {
        row["queue_name"]: row
        for row in DBTaskResult.objects.ready()
        .order_by()
        .values("queue_name")
        .annotate(depth=Count("*"), since=Min(waiting_since))
    }
    limit = now - timedelta(seconds=settings.TASK_RUNNING_LIMIT_SECONDS)
    busy = {
        row["queue_name"]: row
        for row in DBTaskResult.objects.running()
        .order_by()
        .values("queue_name")
        .annotate(running=Count("*"), overran=Count("id", filter=Q(started_at__lt=limit)))
    }
    for queue in sorted({*configured_queues(), *waiting, *busy}):
        ready = waiting.get(queue, {"depth": 0, "since": None})
        depth.add_metric([queue], ready["depth"])
        oldest.add_metric([queue], max((now - ready["since"]).total_seconds(), 0.0) if ready["since"] else 0.0)
        running.add_metric([queue], busy.get(queue, {}).get("running", 0))
        overran.add_metric([queue], busy.get(queue, {}).get("overran", 0))
    yield from (depth, oldest, running, overran)


def watcher_sessions() -> Iterator[Metric]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = %s",
            [WATCHER_APPLICATION],
        )
        count = cursor.fetchone()[0]
    sessions = _gauge(
        "blog_content_state_watcher_sessions",
        "Content-state watchers connected to the database, from every process of every machine.",
        ["channel"],
    )
    sessions.add_metric([CHANNEL], count)
    yield sessions


def llm_metrics() -> Iterator[Metric]:
    calls = _gauge("blog_llm_calls_24h", "Model calls (attempts, llm_log) in the last 24 hours, by model.", ["model"])
    errors = _gauge("blog_llm_errors_24h", "Failed model calls in the last 24 hours, by model.", ["model"])
    cost = _gauge("blog_llm_cost_usd_24h", "Cost of model calls in the last 24 hours, in US dollars.", ["model"])
    for totals in totals_by_model(timezone.now() - LLM_WINDOW):
        calls.add_metric([totals.model], totals.calls)
        errors.add_metric([totals.model], totals.errors)
        cost.add_metric([totals.model], totals.cost)
    yield from (calls, errors, cost)


def newest_good_backup(directory) -> tuple[files.BackupSet, Manifest] | None:
    """The newest complete backup whose manifest reads and whose dump has the manifest's size (no sha256 here:
    ``list_backups --check`` and ``verify_backup`` do that)."""
    for backup in reversed(files.backup_sets(directory)):
        if not backup.complete:
            continue
        try:
            manifest = Manifest.read(backup.manifest)
        except BackupError:
            continue
        if backup.dump.stat().st_size == manifest.size:
            return backup, manifest
    return None


def backup_metrics() -> Iterator[Metric]:
    directory = files.backup_dir()
    if directory.exists() and not directory.is_dir():
        raise BackupError(f"{directory} is not a folder")
    complete = sum(backup.complete for backup in files.backup_sets(directory))
    yield GaugeMetricFamily("blog_backups_complete", "Complete backups (dump and manifest) in BACKUP_DIR.", complete)
    newest = newest_good_backup(directory)
    if newest is None:
        return
    backup, manifest = newest
    created = backup.created
    yield GaugeMetricFamily(
        "blog_backup_newest_timestamp_seconds", "When the newest good backup was made (Unix time).", created.timestamp()
    )
    yield GaugeMetricFamily(
        "blog_backup_newest_age_seconds",
        "Age of the newest good backup in BACKUP_DIR.",
        max((timezone.now() - created).total_seconds(), 0.0),
    )
    yield GaugeMetricFamily("blog_backup_newest_size_bytes", "Size of the newest good backup's dump.", manifest.size)


DRILL_QUERY = "SELECT started_at, succeeded, total_seconds FROM restore_drill ORDER BY started_at DESC, id DESC LIMIT 1"


def restore_drill_metrics() -> Iterator[Metric]:
    """The last restore drill, when a ``restore_drill`` table exists (``manage.py restore_drill``); else nothing."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('restore_drill') IS NOT NULL")
        if not cursor.fetchone()[0]:
            return
        cursor.execute(DRILL_QUERY)
        last = cursor.fetchone()
    if last is None:
        return
    started_at, succeeded, total_seconds = last
    yield GaugeMetricFamily("blog_restore_drill_last_success", "1 when the last restore drill passed.", int(succeeded))
    yield GaugeMetricFamily(
        "blog_restore_drill_last_timestamp_seconds",
        "When the last restore drill started (Unix time).",
        started_at.timestamp(),
    )
    yield GaugeMetricFamily(
        "blog_restore_drill_last_duration_seconds",
        "How long the last restore drill took (recovery time).",
        total_seconds,
    )


# name, reads the database, source
SOURCES: list[tuple[str, bool, Callable[[], Iterable[Metric]]]] = [
    ("tasks", True, task_metrics),
    ("watcher_sessions", True, watcher_sessions),
    ("llm", True, llm_metrics),
    ("restore_drill", True, restore_drill_metrics),
    ("backups", False, backup_metrics),
]


class ScrapeTimeCollector:
    """A prometheus-client collector reading every source at each scrape."""

    def collect(self) -> Iterator[Metric]:
        up = _gauge(
            "blog_metrics_source_up", "1 when the source was read at this scrape, 0 when it failed.", ["source"]
        )
        database_failed = False
        for name, uses_database, source in SOURCES:
            if uses_database and database_failed:
                up.add_metric([name], 0)
                continue
            try:
                with transaction.atomic() if uses_database else contextlib.nullcontext():
                    families = list(source())
            except Exception as error:  # any failure of one source: the others are still reported
                database_failed = database_failed or isinstance(error, UNREACHABLE)
                logger.warning("metrics: %s could not be read (%s: %s)", name, type(error).__name__, error)
                up.add_metric([name], 0)
                continue
            up.add_metric([name], 1)
            yield from families
        yield up
