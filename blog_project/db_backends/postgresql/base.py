"""Django's PostgreSQL backend whose health check cannot hang.

With persistent connections (``CONN_MAX_AGE`` above 0) Django checks a reused connection with
``SELECT 1`` before the request's first query. Against a server that stopped answering without closing
the connection (hung, frozen, a proxy that stopped forwarding), psycopg would wait for the answer
forever: nothing on the server side (``statement_timeout``) can fire. This check waits at most the
connect timeout (``DATABASE_CONNECT_TIMEOUT``), then drops the connection, so the request reconnects,
which that same timeout bounds, and the request ends with an ``OperationalError`` (a 503).
"""

import select
import time

import psycopg
from django.db.backends.postgresql import base
from psycopg import pq

DEFAULT_CHECK_SECONDS = 5.0


def answers_within(connection: psycopg.Connection, seconds: float) -> bool:
    """Whether the server answers ``SELECT 1`` on ``connection`` within ``seconds``."""
    deadline = time.monotonic() + seconds
    pgconn = connection.pgconn
    with connection.lock:
        pgconn.send_query(b"SELECT 1")
        while pgconn.flush():
            if not _ready(pgconn.socket, select.POLLOUT, deadline):
                return False
        while True:
            pgconn.consume_input()
            if not pgconn.is_busy():
                break
            if not _ready(pgconn.socket, select.POLLIN, deadline):
                return False
        ok = True
        while (result := pgconn.get_result()) is not None:
            ok = ok and result.status == pq.ExecStatus.TUPLES_OK
        return ok


def _ready(fileno: int, event: int, deadline: float) -> bool:
    poller = select.poll()
    poller.register(fileno, event | select.POLLERR | select.POLLHUP)
    remaining = deadline - time.monotonic()
    return remaining > 0 and bool(poller.poll(remaining * 1000))


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        if self.connection is None:
            return False
        seconds = float(self.settings_dict["OPTIONS"].get("connect_timeout") or DEFAULT_CHECK_SECONDS)
        try:
            return answers_within(self.connection, seconds)
        except psycopg.Error:
            return False
