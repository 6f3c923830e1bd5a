"""A hung or slow database costs a bounded time: connect timeout everywhere, statement timeout in web processes."""

import socket
import subprocess
import sys
import time

import environ
import pytest

from blog_project.database_config import DatabaseURLError, database_from_environment
from blog_project.tests.conftest import BASE_DIR, manage_environment, run_manage

SLOW_QUERY = """
import time
from django.db import OperationalError, connection
started = time.monotonic()
try:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_sleep(%s)" % SECONDS)
    outcome = "finished"
except OperationalError as error:
    outcome = type(error).__name__ + ": " + str(error).splitlines()[0]
print(outcome, round(time.monotonic() - started, 2))
"""


def web_process(database, seconds: float, **variables: str) -> tuple[str, float]:
    """Run a slow query in a process set up as gunicorn's workers are (through blog_project.wsgi)."""
    code = f"import blog_project.wsgi\nSECONDS = {seconds}\n{SLOW_QUERY}"
    completed = subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env=manage_environment(database, **variables),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert completed.returncode == 0, completed.stderr
    outcome, elapsed = completed.stdout.strip().rsplit(" ", 1)
    return outcome, float(elapsed)


def command_process(database, seconds: float, **variables: str) -> tuple[str, float]:
    completed = run_manage("shell", "-c", f"SECONDS = {seconds}\n{SLOW_QUERY}", database=database, env=variables)
    assert completed.returncode == 0, completed.stderr
    outcome, elapsed = completed.stdout.strip().splitlines()[-1].rsplit(" ", 1)
    return outcome, float(elapsed)


def test_a_slow_query_in_a_web_process_is_cancelled_at_the_statement_timeout(source_database):
    outcome, elapsed = web_process(source_database, 20, DATABASE_STATEMENT_TIMEOUT="1")
    assert outcome.startswith("OperationalError: canceling statement due to statement timeout")
    assert 0.9 < elapsed < 5


def test_the_web_statement_timeout_defaults_to_30_seconds(source_database):
    code = "import blog_project.wsgi\nfrom django.db import connection\nprint(connection.get_connection_params())"
    completed = subprocess.run(
        [sys.executable, "-c", code], cwd=BASE_DIR, env=manage_environment(source_database), capture_output=True
    )
    assert b"'options': '-c statement_timeout=30000'" in completed.stdout, completed.stderr
    assert b"'connect_timeout': 5" in completed.stdout


def test_commands_are_not_cut_at_the_web_timeout_but_at_their_own(source_database):
    finished, _ = command_process(source_database, 1.5, DATABASE_STATEMENT_TIMEOUT="1")
    cancelled, elapsed = command_process(source_database, 20, COMMAND_STATEMENT_TIMEOUT="1")
    assert finished == "finished"  # migrations and backups may run long statements
    assert cancelled.startswith("OperationalError: canceling statement due to statement timeout")
    assert elapsed < 5


@pytest.fixture
def hung_server():
    """A TCP port that accepts connections and never answers: a database that hangs."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield listener.getsockname()[1]


def test_connecting_to_a_hung_server_gives_up_at_the_connect_timeout(hung_server):
    started = time.monotonic()
    completed = run_manage(
        "migrate",
        "--check",
        env={"DATABASE_URL": f"postgres://blog@127.0.0.1:{hung_server}/blog", "DATABASE_CONNECT_TIMEOUT": "2"},
    )
    elapsed = time.monotonic() - started
    assert completed.returncode == 2
    assert "cannot connect to the database of DATABASE_URL" in completed.stderr
    assert elapsed < 10  # start-up plus the 2 s timeout; without one, libpq waits for the kernel (minutes)


def config(monkeypatch, web: bool, **variables: str) -> dict:
    for name in ("DATABASE_CONNECT_TIMEOUT", "DATABASE_STATEMENT_TIMEOUT", "COMMAND_STATEMENT_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", variables.pop("url", "postgres://blog@db.internal/blog"))
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    return database_from_environment(environ.Env(), BASE_DIR / "var" / "postgres", web=web)["OPTIONS"]


def test_timeout_settings_from_the_environment(monkeypatch):
    assert config(monkeypatch, web=True) == {"connect_timeout": 5, "options": "-c statement_timeout=30000"}
    assert config(monkeypatch, web=False) == {"connect_timeout": 5}
    assert config(monkeypatch, web=True, DATABASE_STATEMENT_TIMEOUT="0.25", DATABASE_CONNECT_TIMEOUT="0") == {
        "options": "-c statement_timeout=250"
    }
    assert config(monkeypatch, web=False, COMMAND_STATEMENT_TIMEOUT="3600") == {
        "connect_timeout": 5,
        "options": "-c statement_timeout=3600000",
    }
    own = config(monkeypatch, web=True, url="postgres://blog@db/blog?connect_timeout=9&options=-c%20work_mem%3D64MB")
    assert own == {"connect_timeout": 9, "options": "-c statement_timeout=30000 -c work_mem=64MB"}


@pytest.mark.parametrize("value", ["-1", "soon"])
def test_a_bad_timeout_is_one_line_naming_the_variable(monkeypatch, value):
    with pytest.raises(DatabaseURLError, match="DATABASE_STATEMENT_TIMEOUT must be a number of seconds"):
        config(monkeypatch, web=True, DATABASE_STATEMENT_TIMEOUT=value)
    completed = run_manage("check", env={"DATABASE_CONNECT_TIMEOUT": value})
    assert completed.returncode == 2
    assert completed.stderr.strip().splitlines() == [
        f"error: DATABASE_CONNECT_TIMEOUT must be a number of seconds (0: no limit), not {value!r}."
    ]
