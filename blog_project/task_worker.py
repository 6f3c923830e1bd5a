"""The task worker of ``manage.py run_worker``: django-tasks-db's, through database outages, leaving no task
running for ever.

django-tasks-db's ``db_worker`` exits at the first ``OperationalError`` (its loop re-raises it), and a worker
killed while it runs a task leaves that task RUNNING for good. This worker claims and runs tasks as
``db_worker`` does (its ``run_task`` records the outcome and sends the signals), and:

- on a database error, closes its connections and tries again after a back-off (1 s, doubling up to 30 s);
- holds, while a task runs, a *lease*: a PostgreSQL advisory lock named after the task, taken in the
  transaction that claims it, on a connection of its own. The server frees it when that session ends:
  the process exited or was killed, or its connection was lost;
- when it starts, after an outage and every ``TASK_LEASE_CHECK_SECONDS``, marks FAILED (``WorkerLost``) the
  running tasks whose lease nobody holds, and any task running past ``TASK_RUNNING_LIMIT_SECONDS``
  (``TaskOverran``), whoever runs it (``db_worker``'s tasks have no lease).
"""

import contextlib
import logging
import random
import time

import psycopg
from django.conf import settings
from django.db import close_old_connections, connection, connections, transaction
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from common.database import UNREACHABLE

logger = logging.getLogger("django_tasks_db")

BACKOFF = (1.0, 30.0)  # first and longest wait before trying the database again, doubling in between
LEASE_PREFIX = "lease-"  # worker ids of workers that hold leases; only their tasks are judged by the lease
# The advisory lock of a task: a 64-bit hash of its id (a clash with another key, release's, is that unlikely).
LEASE_KEY = "hashtextextended(%s::uuid::text, 7431)"


class WorkerLost(Exception):
    """The worker running the task stopped before recording its outcome."""


class TaskOverran(Exception):
    """The task ran past TASK_RUNNING_LIMIT_SECONDS."""


LOST = (
    f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
    "The worker running this task stopped before recording its outcome (killed, crashed, or cut off from "
    "the database); the task may have done part of its work. Run it again if it is still wanted.",
)
OVERRAN = (
    f"{TaskOverran.__module__}.{TaskOverran.__qualname__}",
    "The task was still running after TASK_RUNNING_LIMIT_SECONDS; it is no longer waited for.",
)

_ABANDONED = f"""
WITH running AS MATERIALIZED (
    SELECT id, started_at < now() - make_interval(secs => %(limit)s::float8) AS overran
    FROM {DBTaskResult._meta.db_table} WHERE status = 'RUNNING'
)
UPDATE {DBTaskResult._meta.db_table} AS task
SET status = 'FAILED', finished_at = now(), return_value = NULL,
    exception_class_path = CASE WHEN running.overran THEN %(overran_class)s ELSE %(lost_class)s END,
    traceback = CASE WHEN running.overran THEN %(overran_text)s ELSE %(lost_text)s END
FROM running
WHERE task.id = running.id AND task.status = 'RUNNING' AND (
    running.overran OR (
        task.worker_ids ->> -1 LIKE %(prefix)s
        AND pg_try_advisory_xact_lock({LEASE_KEY % "task.id"})
    )
)
RETURNING task.id::text, running.overran
"""


def fail_abandoned_tasks(limit_seconds: float | None = None) -> list[str]:
    """Mark FAILED, with the reason, the running tasks whose worker is gone or that ran past the limit."""
    limit = settings.TASK_RUNNING_LIMIT_SECONDS if limit_seconds is None else limit_seconds
    parameters = {
        "limit": limit,
        "overran_class": OVERRAN[0],
        "overran_text": f"{OVERRAN[0]}: {OVERRAN[1]}\n",
        "lost_class": LOST[0],
        "lost_text": f"{LOST[0]}: {LOST[1]}\n",
        "prefix": f"{LEASE_PREFIX}%",
    }
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_ABANDONED, parameters)
        failed = cursor.fetchall()
    for task_id, overran in failed:
        logger.error("Task id=%s marked failed: %s", task_id, OVERRAN[1] if overran else LOST[1])
    return [task_id for task_id, _ in failed]


class Lease:
    """This worker's own session, holding the advisory lock of the task it runs."""

    def __init__(self, alias: str = "default"):
        self._alias = alias
        self._session: psycopg.Connection | None = None

    def _connected(self) -> psycopg.Connection:
        if self._session is None or self._session.closed:
            params = connections[self._alias].get_connection_params()
            params.pop("cursor_factory", None)
            session = psycopg.connect(**params, application_name="blog task worker lease", autocommit=True)
            # A worker whose machine vanished must not hold its task for hours: the server probes the client.
            session.execute(
                "SET tcp_keepalives_idle = 30; SET tcp_keepalives_interval = 10; SET tcp_keepalives_count = 3"
            )
            self._session = session
        return self._session

    def take(self, task_id) -> None:
        if not self._connected().execute(f"SELECT pg_try_advisory_lock({LEASE_KEY})", [str(task_id)]).fetchone()[0]:
            logger.warning("Task id=%s: its lease was taken already (a hash collision); running it anyway", task_id)

    def give_back(self, task_id) -> None:
        try:
            self._connected().execute(f"SELECT pg_advisory_unlock({LEASE_KEY})", [str(task_id)])
        except UNREACHABLE:
            self.close()  # the session is gone, and the lock with it

    def close(self) -> None:
        if self._session is not None:
            with contextlib.suppress(Exception):
                self._session.close()
        self._session = None


class LeasedWorker(Worker):
    """django-tasks-db's Worker with its own loop: leases, checks, and back-off on database errors."""

    def __init__(self, *, lease_check_seconds: float, **options):
        super().__init__(**options)
        self.lease = Lease()
        self.lease_check_seconds = lease_check_seconds
        self._next_check = 0.0  # at start

    def run(self) -> None:
        logger.info("Starting worker worker_id=%s queues=%s", self.worker_id, ",".join(self.queue_names))
        if self.startup_delay and self.interval:
            time.sleep(random.random())  # workers started together do not poll in step
        delay = BACKOFF[0]
        while self.running:
            try:
                close_old_connections()
                self._check_leases_when_due()
                task = self._claim()
            except UNREACHABLE as error:
                if self.batch:
                    raise
                self._wait_for_database(error, delay)
                delay = min(delay * 2, BACKOFF[1])
                continue
            delay = BACKOFF[0]
            if task is None:
                if self.batch:
                    logger.info("No more tasks to run for worker_id=%s - exiting gracefully.", self.worker_id)
                    return
                time.sleep(self.interval)
                continue
            self._run_leased(task)
            if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                logger.info("Ran the maximum of %d tasks on worker=%s - exiting.", self._run_tasks, self.worker_id)
                return

    def _check_leases_when_due(self) -> None:
        if time.monotonic() >= self._next_check:
            fail_abandoned_tasks()
            self._next_check = time.monotonic() + self.lease_check_seconds

    def _claim(self) -> DBTaskResult | None:
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        if self.excluded_queue_names:
            tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)
        with transaction.atomic(using=tasks.db):
            task = tasks.get_locked()
            if task is not None:
                self.lease.take(task.id)  # before the claim commits: a RUNNING task of ours always has its lease
                try:
                    task.claim(self.worker_id)
                except BaseException:
                    self.lease.give_back(task.id)
                    raise
        return task

    def _run_leased(self, task: DBTaskResult) -> None:
        try:
            self.run_task(task)  # records success or failure; raises when even that fails
        except UNREACHABLE as error:
            logger.warning(
                "Task id=%s: its outcome could not be recorded (%s); it is marked failed once the database is back",
                task.id,
                type(error).__name__,
            )
            self._wait_for_database(error, BACKOFF[0])
        finally:
            self.lease.give_back(task.id)

    def _wait_for_database(self, error: BaseException, delay: float) -> None:
        logger.warning(
            "Database unreachable (%s: %s); trying again in %.0f s",
            type(error).__name__,
            (str(error).strip().splitlines() or [""])[0],
            delay,
        )
        with contextlib.suppress(Exception):
            connections.close_all()
        self.lease.close()
        self._next_check = 0.0  # once back: the tasks cut off by the outage
        time.sleep(delay)
