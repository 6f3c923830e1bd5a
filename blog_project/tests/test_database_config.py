"""DATABASE_URL handling: the embedded default, a configured server, and clear one-line errors."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import environ
import pytest

from blog_project.database_config import DatabaseURLError, database_from_environment

BASE_DIR = Path(__file__).resolve().parents[2]


def config_for(monkeypatch, value):
    if value is None:
        monkeypatch.delenv("DATABASE_URL", raising=False)
    else:
        monkeypatch.setenv("DATABASE_URL", value)
    return database_from_environment(environ.Env(), Path("/tmp/pgdata"))


def test_unset_url_selects_the_embedded_server(monkeypatch):
    config = config_for(monkeypatch, None)
    assert config["ENGINE"] == "blog_project.db_backends.embedded"
    assert config["EMBEDDED_DATA_DIR"] == "/tmp/pgdata"


def test_configured_url_selects_that_server(monkeypatch):
    config = config_for(monkeypatch, "postgres://blog:secret@db.internal:6432/blogdb")
    assert config["ENGINE"] == "blog_project.db_backends.postgresql"
    assert (config["HOST"], config["PORT"], config["NAME"], config["USER"]) == ("db.internal", 6432, "blogdb", "blog")


@pytest.mark.parametrize("url", ["sqlite:///db.sqlite3", "not a url", "postgres://host:5432"])
def test_unusable_urls_raise_a_named_error(monkeypatch, url):
    with pytest.raises(DatabaseURLError, match="DATABASE_URL"):
        config_for(monkeypatch, url)


def run_manage(*args, database_url):
    env = {**os.environ, "DATABASE_URL": database_url}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("mysql://root@localhost/blog", "DATABASE_URL must look like postgres://"),
        ("postgres://postgres@127.0.0.1:1/blog", "cannot connect to the database of DATABASE_URL"),
    ],
)
def test_manage_py_prints_one_line_not_a_traceback(url, expected):
    result = run_manage("migrate", "--check", database_url=url)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert expected in lines[0]
    assert "Traceback" not in result.stderr


STARTS_TOGETHER = """
import json, sys, time
from pathlib import Path
from blog_project.embedded_postgres import ensure_server
time.sleep(max(0.0, float(sys.argv[1]) - time.time()))
server = ensure_server(Path(sys.argv[2]), "postgres")
print(json.dumps(str(server.socket_dir)))
"""


def test_processes_starting_together_all_reach_the_embedded_server():
    """Gunicorn's workers start at once, each rewriting the embedded server's list of client pids."""
    data_dir = BASE_DIR / "var" / "postgres"
    start_at = f"{time.time() + 3:.3f}"
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", STARTS_TOGETHER, start_at, str(data_dir)],
            cwd=BASE_DIR,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(8)
    ]
    results = [(process.wait(timeout=60), *process.communicate()) for process in processes]
    assert [code for code, _, _ in results] == [0] * 8, [error[-500:] for _, _, error in results]
    assert len({output for _, output, _ in results}) == 1
    assert isinstance(json.loads((data_dir / ".handle_pids.json").read_text()), list)
