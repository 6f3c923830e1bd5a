"""The content state the page cache keys pages on, known in each process without a query per request.

``content_state()`` asks PostgreSQL: the content generation (raised by triggers in the writing
transaction, migration 0003) and the time the next scheduled post goes live (migration 0007).

``current_content_state()`` is what the page cache uses. With ``PAGE_CACHE_LISTEN`` on, each
process starts, on its first call (so after gunicorn forks), a ``ContentStateWatcher``: a daemon
thread with its own connection that LISTENs on ``content_state`` (every raise of the generation
notifies it at commit, migration 0009), then reads the state, and reads it again after every
notification, when the next scheduled post goes live, and every ``HEARTBEAT`` seconds. While the
watcher is healthy a request needs no query at all; while it is not (not connected yet, connection
lost, reconnecting) and once the next scheduled post is due, requests ask PostgreSQL as before.
A reader may see the previous version for the few milliseconds between a commit and the watcher's
reading after the notification; the process that wrote does not: after its own commit it asks
PostgreSQL until the watcher has read again (``note_content_write``, connected in ``content.apps``).

When the database cannot be reached (down, restarting, hung past the connect or statement timeout),
cached pages still need a state to find them by: the last one this process read is trusted for
``PAGE_CACHE_GRACE_SECONDS`` after it was read, and after a failure the database is left alone for
``RETRY_AFTER_FAILURE`` seconds, so an outage costs one slow request now and then, not one per hit.
"""

import logging
import os
import select
import threading
import time
from dataclasses import dataclass
from datetime import datetime

import psycopg
from django.conf import settings
from django.core.signals import setting_changed
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.dispatch import receiver
from django.utils import timezone

from common.database import UNREACHABLE
from content.site.cache_metrics import WATCHER_HEALTHY

logger = logging.getLogger(__name__)

CHANNEL = "content_state"
STATE_QUERY = "SELECT * FROM content_state()"  # migration 0007: planned once per connection
HEARTBEAT = 10.0  # seconds between readings when nothing is notified; also detects a silent connection
BACKOFF = (0.1, 5.0)  # first and longest wait before reconnecting, doubling in between
_DUE_RECHECK = 0.05  # when a reading taken at the due time still names it (the server's clock lags ours)
RETRY_AFTER_FAILURE = 5.0  # seconds cached pages use the last known state before asking a failed database again


@dataclass(frozen=True)
class ContentState:
    generation: int
    next_change: datetime | None


def content_state() -> ContentState:
    """The state as PostgreSQL sees it now, in this request's connection and transaction."""
    with connection.cursor() as cursor:
        cursor.execute(STATE_QUERY)
        return ContentState(*cursor.fetchone())


@dataclass(frozen=True)
class _Reading:
    state: ContentState
    trusted_until: float  # time.monotonic(): a watcher that stopped reading is not believed past this


# The last state this process read (by the watcher or a query) and when (time.monotonic()), for when the
# database fails; and until when, after a failure, cached pages use it without asking the database again.
_last_read: tuple[ContentState, float] | None = None
_failed_until = 0.0


def _remember(state: ContentState) -> None:
    global _last_read
    _last_read = (state, time.monotonic())


def _last_known() -> ContentState | None:
    """The last state read, while it is younger than PAGE_CACHE_GRACE_SECONDS."""
    last = _last_read
    if last is None or time.monotonic() - last[1] > settings.PAGE_CACHE_GRACE_SECONDS:
        return None
    return last[0]


# The generation this process's own last committed change reached: a watcher reading older than it is not
# used, so a writer always sees its own write (the watcher hears of it milliseconds later).
_own_generation = 0


def _remember_own_generation(alias: str) -> None:
    global _own_generation
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT value FROM content_generation WHERE id = 1")
        _own_generation = max(_own_generation, cursor.fetchone()[0])


def note_content_write(using: str = DEFAULT_DB_ALIAS, **kwargs) -> None:
    """Receiver of the content models' save and delete signals (connected in ``content.apps``)."""
    if settings.PAGE_CACHE_LISTEN:
        transaction.on_commit(lambda: _remember_own_generation(using), using=using)


class ContentStateWatcher:
    """A thread holding the content state, re-read whenever PostgreSQL notifies a change."""

    def __init__(
        self, connection_params: dict, *, heartbeat: float = HEARTBEAT, backoff: tuple[float, float] = BACKOFF
    ) -> None:
        self._params = {**connection_params, "autocommit": True}
        self._heartbeat = heartbeat
        self._backoff = backoff
        self._reading: _Reading | None = None
        self._stopping = threading.Event()
        self._wake_read, self._wake_write = os.pipe()
        self._thread = threading.Thread(target=self._run, name="content-state-watcher", daemon=True)
        self.backend_pid: int | None = None  # the listening session, for pg_stat_activity

    def start(self) -> "ContentStateWatcher":
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._stopping.is_set():
            return
        self._stopping.set()
        os.write(self._wake_write, b"x")
        self._thread.join()
        os.close(self._wake_read)
        os.close(self._wake_write)

    def healthy(self) -> bool:
        """Whether the watcher listens and its last reading is recent (heartbeats included)."""
        reading = self._reading
        return reading is not None and time.monotonic() < reading.trusted_until

    def state(self) -> ContentState | None:
        """The state while the watcher is healthy and no scheduled post has gone live since; else None."""
        reading = self._reading
        if reading is None or time.monotonic() >= reading.trusted_until or reading.state.generation < _own_generation:
            return None
        next_change = reading.state.next_change
        if next_change is not None and timezone.now() >= next_change:
            return None
        return reading.state

    def _run(self) -> None:
        delay = self._backoff[0]
        while not self._stopping.is_set():
            try:
                with psycopg.connect(**self._params) as listener:
                    listener.execute(f"LISTEN {CHANNEL}")  # before the first reading: no change slips between
                    self.backend_pid = listener.info.backend_pid
                    self._read(listener)
                    delay = self._backoff[0]
                    while self._wait(listener):
                        self._read(listener)
            except Exception as error:  # whatever it was, requests ask the database meanwhile
                if not self._stopping.is_set():
                    logger.warning("content state watcher: %s; pages ask the database until it reconnects", error)
            self._reading = None
            WATCHER_HEALTHY.labels(CHANNEL).set(0)
            if self._stopping.wait(delay):
                break
            delay = min(delay * 2, self._backoff[1])

    def _read(self, listener: psycopg.Connection) -> None:
        state = ContentState(*listener.execute(STATE_QUERY).fetchone())
        self._reading = _Reading(state, time.monotonic() + 2 * self._heartbeat)
        WATCHER_HEALTHY.labels(CHANNEL).set(1)
        _remember(state)

    def _wait(self, listener: psycopg.Connection) -> bool:
        """Wait for a reason to read again: a notification, a due post, the heartbeat. False: stop."""
        if list(listener.notifies(timeout=0)):  # arrived while reading
            return not self._stopping.is_set()
        timeout = self._heartbeat
        next_change = self._reading.state.next_change
        if next_change is not None:
            timeout = min(timeout, max((next_change - timezone.now()).total_seconds(), _DUE_RECHECK))
        poller = select.poll()  # not select.select(): no limit on descriptor numbers
        poller.register(listener.fileno(), select.POLLIN)
        poller.register(self._wake_read, select.POLLIN)
        poller.poll(timeout * 1000)
        if self._stopping.is_set():
            return False
        list(listener.notifies(timeout=0))  # take what woke us; raises when the connection is gone
        return True


def notify_watchers(sender, *, connection: psycopg.Connection, **kwargs) -> None:
    """Every watcher on ``connection``'s database reads the state again (after a restore, say)."""
    connection.execute("SELECT pg_notify(%s, '')", [CHANNEL])


def listener_params(alias: str = DEFAULT_DB_ALIAS) -> dict:
    """Connection parameters of Django's database (the embedded server's socket included), for psycopg."""
    params = connections[alias].get_connection_params()  # starts the embedded server if it is the default
    params.pop("cursor_factory", None)  # Django's cursor class; the watcher uses psycopg's own
    # Over TCP, a server that vanished (a failover, a dead host) is noticed within a minute, not hours.
    keepalives = {"keepalives": 1, "keepalives_idle": 30, "keepalives_interval": 10, "keepalives_count": 3}
    return {**keepalives, **params, "application_name": "blog content-state watcher"}


_watcher: ContentStateWatcher | None = None
_watcher_lock = threading.Lock()


def current_content_state() -> ContentState:
    """The watcher's state when ``PAGE_CACHE_LISTEN`` is on and it is healthy, the query's otherwise;
    while the database cannot answer, the last state read within the grace period (else the error)."""
    if settings.PAGE_CACHE_LISTEN:
        state = process_watcher().state()
        if state is not None:
            return state
    global _failed_until
    if time.monotonic() < _failed_until and (known := _last_known()) is not None:
        return known
    try:
        state = content_state()
    except UNREACHABLE as error:
        known = _last_known()
        if known is None:
            raise
        _failed_until = time.monotonic() + RETRY_AFTER_FAILURE
        logger.warning(
            "content state unreadable (%s); cached pages use the state read %.0f s ago for up to %s s",
            type(error).__name__,
            time.monotonic() - _last_read[1],
            settings.PAGE_CACHE_GRACE_SECONDS,
        )
        return known
    _remember(state)
    return state


def process_watcher() -> ContentStateWatcher:
    """This process's watcher, started on first use (after a fork, then: each worker has its own)."""
    global _watcher
    if _watcher is None:
        with _watcher_lock:
            if _watcher is None:
                _watcher = ContentStateWatcher(listener_params()).start()
    return _watcher


def watcher_health() -> bool | None:
    """This process's watcher's health for ``/metrics`` (also setting its gauge); None when it has none."""
    watcher = _watcher
    if watcher is None or not settings.PAGE_CACHE_LISTEN:
        return None
    healthy = watcher.healthy()
    WATCHER_HEALTHY.labels(CHANNEL).set(1 if healthy else 0)
    return healthy


def _stop_watcher() -> None:
    global _watcher
    with _watcher_lock:
        watcher, _watcher = _watcher, None
    if watcher is not None:
        watcher.stop()


def _forget_watcher_after_fork() -> None:
    """A forked child has no watcher thread (only the parent's objects): it starts its own."""
    global _watcher, _watcher_lock
    _watcher, _watcher_lock = None, threading.Lock()


os.register_at_fork(after_in_child=_forget_watcher_after_fork)


@receiver(setting_changed)
def _stop_watcher_on_setting_change(*, setting: str, **kwargs) -> None:
    """A change of PAGE_CACHE_LISTEN stops this process's watcher; the next request that wants one starts it."""
    if setting == "PAGE_CACHE_LISTEN":
        _stop_watcher()
