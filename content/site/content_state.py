"""How each process knows the version of a page (``content/site/page_versions.py``) without a query per request.

PostgreSQL keeps one generation per visible post (table ``post_generation``, migration 0012), raised by
triggers in the transaction that changes what readers see of it. ``page_version()`` is what the page cache
uses. With ``PAGE_CACHE_LISTEN`` on, each process starts, on its first call (so after gunicorn forks), a
``ContentStateWatcher``: a daemon thread with its own connection that LISTENs on ``content_state`` (every
raise of a generation notifies it at commit), then reads every visible post's row (its ``ContentState``), and
after every notification, when the next scheduled post goes live, and every ``HEARTBEAT`` seconds reads the
rows changed by the transactions its previous reading did not see (``post_generations()``: by the writing
transaction's id, so a commit is never missed, notified or not). While the watcher is healthy a request needs
no query at all; while it is not (not connected yet, connection lost, reconnecting), and for a list once the
next scheduled post is due, a request asks PostgreSQL for the version of its own page (one query).
A reader may see the previous version for the few milliseconds between a commit and the watcher's reading
after the notification; the process that wrote does not: after its own commit it asks PostgreSQL until the
watcher has read again, which it does at once (``note_content_write``, connected in ``content.apps``).

When the database cannot be reached (down, restarting, hung past the connect or statement timeout),
cached pages still need a version to find them by: the last one this process read (the watcher's state or
the page's own query) is trusted for ``PAGE_CACHE_GRACE_SECONDS`` after it was read, and after a failure the
database is left alone for ``RETRY_AFTER_FAILURE`` seconds, so an outage costs one slow request now and then,
not one per hit.
"""

import contextlib
import logging
import os
import select
import threading
import time
from dataclasses import dataclass

import psycopg
from django.conf import settings
from django.core.signals import setting_changed
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.dispatch import receiver
from django.utils import timezone

from common.database import UNREACHABLE
from content.site.cache_metrics import WATCHER_HEALTHY
from content.site.page_versions import DUE, READING, ContentState, Reading, Shows, content_state, database_version

logger = logging.getLogger(__name__)

CHANNEL = "content_state"
RELOAD = "reload"  # a notification's payload: read every row again (a restore replaced them)
HEARTBEAT = 10.0  # seconds between readings when nothing is notified; also detects a silent connection
BACKOFF = (0.1, 5.0)  # first and longest wait before reconnecting, doubling in between
_DUE_RECHECK = 0.05  # when a reading taken at the due time still names it (the server's clock lags ours)
RETRY_AFTER_FAILURE = 5.0  # seconds cached pages use the last known state before asking a failed database again
REMEMBERED_PAGES = 10_000  # versions of pages asked of the database kept for outages (then forgotten, all at once)

__all__ = ["CHANNEL", "ContentState", "ContentStateWatcher", "content_state", "page_version"]


@dataclass(frozen=True)
class _Reading:
    state: ContentState
    trusted_until: float  # time.monotonic(): a watcher that stopped reading is not believed past this
    own_writes: int  # how many of this process's own writes had committed when the reading began


class _LastRead:
    """What this process last read, for when the database fails, each with its time (``time.monotonic()``):
    the watcher's whole state, and the version of each page asked of the database."""

    def __init__(self) -> None:
        self.state: tuple[ContentState, float] | None = None
        self.pages: dict[Shows, tuple[str | None, float]] = {}
        self.lock = threading.Lock()


_last_read: _LastRead | None = None
# Until when, after a failure, cached pages use what was last read without asking the database again.
_failed_until = 0.0


def _memory() -> _LastRead:
    global _last_read
    memory = _last_read
    if memory is None:
        memory = _last_read = _LastRead()
    return memory


def _remember_state(state: ContentState) -> None:
    _memory().state = (state, time.monotonic())


def _remember_page(shows: Shows, version: str | None) -> None:
    memory = _memory()
    with memory.lock:
        if len(memory.pages) >= REMEMBERED_PAGES and shows not in memory.pages:
            memory.pages.clear()
        memory.pages[shows] = (version, time.monotonic())


def _last_known(shows: Shows) -> tuple[str | None, float] | None:
    """The page's version and when it was read: the newer of the watcher's last state and the page's own last
    query, while younger than PAGE_CACHE_GRACE_SECONDS; None when there is neither."""
    memory = _last_read
    if memory is None:
        return None
    oldest = time.monotonic() - settings.PAGE_CACHE_GRACE_SECONDS
    known = []
    if memory.state is not None and memory.state[1] >= oldest:
        state, read = memory.state
        known.append((state.version(shows), read))  # a scheduled post that fell due meanwhile waits for the database
    page = memory.pages.get(shows)
    if page is not None and page[1] >= oldest:
        known.append(page)
    return max(known, key=lambda version_read: version_read[1], default=None)


# How many of this process's own changes have committed: a watcher reading begun before the last of them is
# not used, so a writer always sees its own write (the watcher hears of it milliseconds later).
_own_writes = 0
_own_writes_lock = threading.Lock()


def _count_own_write() -> None:
    global _own_writes
    with _own_writes_lock:
        _own_writes += 1
    watcher = _watcher
    if watcher is not None:
        watcher.read_soon()


def note_content_write(using: str = DEFAULT_DB_ALIAS, **kwargs) -> None:
    """Receiver of the content models' save and delete signals (connected in ``content.apps``)."""
    if settings.PAGE_CACHE_LISTEN:
        transaction.on_commit(_count_own_write, using=using)


class ContentStateWatcher:
    """A thread holding the content state, read again whenever PostgreSQL notifies a change."""

    def __init__(
        self, connection_params: dict, *, heartbeat: float = HEARTBEAT, backoff: tuple[float, float] = BACKOFF
    ) -> None:
        self._params = {**connection_params, "autocommit": True}
        self._heartbeat = heartbeat
        self._backoff = backoff
        self._reading: _Reading | None = None
        # The watcher thread's own: the last state read, the snapshot and table it was read from, whether a
        # notification asked for every row again.
        self._state: ContentState | None = None
        self._snapshot: str | None = None
        self._relation: str | None = None
        self._reload = False
        self._stopping = threading.Event()
        self._wake_read, self._wake_write = os.pipe()
        os.set_blocking(self._wake_read, False)
        os.set_blocking(self._wake_write, False)
        self._thread = threading.Thread(target=self._run, name="content-state-watcher", daemon=True)
        self.backend_pid: int | None = None  # the listening session, for pg_stat_activity

    def start(self) -> "ContentStateWatcher":
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._stopping.is_set():
            return
        self._stopping.set()
        self._wake()
        self._thread.join()
        os.close(self._wake_read)
        os.close(self._wake_write)

    def read_soon(self) -> None:
        """Read again now, without waiting for a notification (this process has just committed a change)."""
        if not self._stopping.is_set():
            self._wake()

    def _wake(self) -> None:
        # A full pipe holds wake-ups the thread has not taken yet: it wakes anyway.
        with contextlib.suppress(BlockingIOError):
            os.write(self._wake_write, b"x")

    def healthy(self) -> bool:
        """Whether the watcher listens and its last reading is recent (heartbeats included)."""
        reading = self._reading
        return reading is not None and time.monotonic() < reading.trusted_until

    def state(self) -> ContentState | None:
        """The state while the watcher is healthy and has read since this process's last own write; else None.

        A scheduled post may have gone live since it was read (``ContentState.due``): lists then ask the database.
        """
        reading = self._reading
        if reading is None or time.monotonic() >= reading.trusted_until or reading.own_writes < _own_writes:
            return None
        return reading.state

    def _run(self) -> None:
        delay = self._backoff[0]
        while not self._stopping.is_set():
            try:
                with psycopg.connect(**self._params) as listener:
                    listener.execute(f"LISTEN {CHANNEL}")  # before the first reading: no change slips between
                    self.backend_pid = listener.info.backend_pid
                    self._snapshot = None  # a new session: every row again
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
        own_writes = _own_writes  # before the snapshot is taken: every write counted here is in it
        whole = self._snapshot is None or self._reload or self._state is None
        reading = Reading.of(listener.execute(READING, {"since": None if whole else self._snapshot}).fetchall())
        if not whole and reading.relation != self._relation:  # the table was replaced (restored by psql)
            whole = True
            reading = Reading.of(listener.execute(READING, {"since": None}).fetchall())
        if whole:
            state = ContentState.from_rows(reading.rows, reading.read_at, reading.next_change)
        else:
            state = self._state.with_changes(reading.rows, reading.read_at, reading.next_change)
        self._state, self._snapshot, self._relation, self._reload = state, reading.snapshot, reading.relation, False
        self._reading = _Reading(state, time.monotonic() + 2 * self._heartbeat, own_writes)
        WATCHER_HEALTHY.labels(CHANNEL).set(1)
        _remember_state(state)

    def _wait(self, listener: psycopg.Connection) -> bool:
        """Wait for a reason to read again: a notification, a due post, an own write, the heartbeat. False: stop."""
        if self._take_notifications(listener):  # arrived while reading
            return not self._stopping.is_set()
        timeout = self._heartbeat
        next_change = self._state.next_change if self._state is not None else None
        if next_change is not None:
            timeout = min(timeout, max((next_change - timezone.now()).total_seconds(), _DUE_RECHECK))
        poller = select.poll()  # not select.select(): no limit on descriptor numbers
        poller.register(listener.fileno(), select.POLLIN)
        poller.register(self._wake_read, select.POLLIN)
        poller.poll(timeout * 1000)
        if self._stopping.is_set():
            return False
        with contextlib.suppress(BlockingIOError):  # the wake-ups taken: one reading answers them all
            while os.read(self._wake_read, 4096):
                pass
        self._take_notifications(listener)  # raises when the connection is gone
        return True

    def _take_notifications(self, listener: psycopg.Connection) -> bool:
        """Take the notifications that arrived; True if any did."""
        notified = False
        for notification in listener.notifies(timeout=0):
            notified = True
            self._reload = self._reload or notification.payload == RELOAD
        return notified


def notify_watchers(sender, *, connection: psycopg.Connection, **kwargs) -> None:
    """Every watcher on ``connection``'s database reads every row again (after a restore, say)."""
    connection.execute("SELECT pg_notify(%s, %s)", [CHANNEL, RELOAD])


def listener_params(alias: str = DEFAULT_DB_ALIAS) -> dict:
    """Connection parameters of Django's database (the embedded server's socket included), for psycopg."""
    params = connections[alias].get_connection_params()  # starts the embedded server if it is the default
    params.pop("cursor_factory", None)  # Django's cursor class; the watcher uses psycopg's own
    # Over TCP, a server that vanished (a failover, a dead host) is noticed within a minute, not hours.
    keepalives = {"keepalives": 1, "keepalives_idle": 30, "keepalives_interval": 10, "keepalives_count": 3}
    return {**keepalives, **params, "application_name": "blog content-state watcher"}


_watcher: ContentStateWatcher | None = None
_watcher_lock = threading.Lock()


def page_version(shows: Shows) -> str | None:
    """The version of the page ``shows`` (None: a page not to cache): the watcher's when ``PAGE_CACHE_LISTEN``
    is on and it can answer, the database's otherwise; while the database cannot answer, the last one read
    within the grace period (else the error)."""
    if settings.PAGE_CACHE_LISTEN:
        state = process_watcher().state()
        if state is not None:
            version = state.version(shows, timezone.now())
            if version is not DUE:
                return version
    global _failed_until
    if time.monotonic() < _failed_until and (known := _last_known(shows)) is not None:
        return known[0]
    try:
        version = database_version(shows)
    except UNREACHABLE as error:
        known = _last_known(shows)
        if known is None:
            raise
        _failed_until = time.monotonic() + RETRY_AFTER_FAILURE
        logger.warning(
            "content state unreadable (%s); cached pages use the state read %.0f s ago for up to %s s",
            type(error).__name__,
            time.monotonic() - known[1],
            settings.PAGE_CACHE_GRACE_SECONDS,
        )
        return known[0]
    _remember_page(shows, version)
    return version


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
    """A forked child has no watcher thread (only the parent's objects): it starts its own, and locks of its own."""
    global _watcher, _watcher_lock, _own_writes_lock, _last_read
    _watcher, _watcher_lock, _own_writes_lock, _last_read = None, threading.Lock(), threading.Lock(), None


os.register_at_fork(after_in_child=_forget_watcher_after_fork)


@receiver(setting_changed)
def _stop_watcher_on_setting_change(*, setting: str, **kwargs) -> None:
    """A change of PAGE_CACHE_LISTEN stops this process's watcher; the next request that wants one starts it."""
    if setting == "PAGE_CACHE_LISTEN":
        _stop_watcher()
