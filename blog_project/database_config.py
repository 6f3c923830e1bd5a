"""Turn ``DATABASE_URL`` (or its absence) into Django's database settings, timeouts included.

A hung or overloaded database must cost a request a bounded time: connecting gives up after
``DATABASE_CONNECT_TIMEOUT`` seconds, and in web processes (gunicorn through ``blog_project.wsgi``
or ``asgi``) a statement is cancelled by the server after ``DATABASE_STATEMENT_TIMEOUT`` seconds,
raising ``OperationalError``. ``manage.py`` commands (migrations, backups, the task worker,
``render_html``) legitimately run long statements: theirs is ``COMMAND_STATEMENT_TIMEOUT``, none
by default.
"""

import math
from pathlib import Path

import environ


class DatabaseURLError(Exception):
    """DATABASE_URL is set but cannot be used; the message is one line for the admin."""


SUPPORTED_SCHEMES = ("postgres", "postgresql", "pgsql")

_web_process = False


def serve_web() -> None:
    """Mark this process as a web server (before Django reads the settings): web statement timeout."""
    global _web_process
    _web_process = True


def is_web_process() -> bool:
    return _web_process


def database_from_environment(env: environ.Env, embedded_data_dir: Path, *, web: bool | None = None) -> dict:
    config = _server_from_environment(env, embedded_data_dir)
    options = dict(config.get("OPTIONS") or {})
    timeouts = timeout_options(env, _web_process if web is None else web)
    if "connect_timeout" in timeouts:
        options.setdefault("connect_timeout", timeouts["connect_timeout"])  # DATABASE_URL's own wins
    if "options" in timeouts:  # before DATABASE_URL's own options, so that a -c there wins
        options["options"] = " ".join(filter(None, [timeouts["options"], options.get("options")]))
    config["OPTIONS"] = options
    return config


def timeout_options(env: environ.Env, web: bool) -> dict:
    """libpq options bounding the wait for a connection and, when set, every statement."""
    options = {}
    if connect := _seconds(env, "DATABASE_CONNECT_TIMEOUT", 5):
        options["connect_timeout"] = max(2, math.ceil(connect))  # whole seconds, 2 at least (libpq's minimum)
    variable = "DATABASE_STATEMENT_TIMEOUT" if web else "COMMAND_STATEMENT_TIMEOUT"
    if statement := _seconds(env, variable, 30 if web else 0):
        options["options"] = f"-c statement_timeout={max(1, round(statement * 1000))}"
    return options


def _seconds(env: environ.Env, variable: str, default: float) -> float:
    try:
        value = env.float(variable, default=default)
    except ValueError:
        value = -1
    if value < 0:
        raise DatabaseURLError(f"{variable} must be a number of seconds (0: no limit), not {env.str(variable)!r}.")
    return value


def _server_from_environment(env: environ.Env, embedded_data_dir: Path) -> dict:
    url = env.str("DATABASE_URL", default="").strip()
    if not url:
        return {
            "ENGINE": "blog_project.db_backends.embedded",
            "NAME": env.str("EMBEDDED_DATABASE_NAME", default="blog"),
            "USER": "postgres",
            "EMBEDDED_DATA_DIR": str(embedded_data_dir),
        }
    scheme = url.split("://", 1)[0] if "://" in url else ""
    if scheme not in SUPPORTED_SCHEMES:
        raise DatabaseURLError(
            "DATABASE_URL must look like postgres://USER:PASSWORD@HOST:PORT/NAME "
            f"(got scheme {scheme or 'none'!r}); PostgreSQL is the only supported database."
        )
    config = database_url_config(url, "DATABASE_URL")
    config["ENGINE"] = "blog_project.db_backends.postgresql"  # Django's, with a health check that cannot hang
    return config


def database_url_config(url: str, name: str) -> dict:
    """django-environ's reading of a database URL; errors name where the URL came from (``name``)."""
    try:
        config = environ.Env.db_url_config(url)
    except Exception as error:  # django-environ raises several types on malformed input
        raise DatabaseURLError(f"{name} is malformed: {error}") from None
    if not config.get("NAME"):
        raise DatabaseURLError(f"{name} names no database: add /NAME at its end.")
    return config
