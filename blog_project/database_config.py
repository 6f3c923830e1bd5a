"""Turn ``DATABASE_URL`` (or its absence) into Django's database settings."""

from pathlib import Path

import environ


class DatabaseURLError(Exception):
    """DATABASE_URL is set but cannot be used; the message is one line for the admin."""


SUPPORTED_SCHEMES = ("postgres", "postgresql", "pgsql")


def database_from_environment(env: environ.Env, embedded_data_dir: Path) -> dict:
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
    try:
        config = environ.Env.db_url_config(url)
    except Exception as error:  # django-environ raises several types on malformed input
        raise DatabaseURLError(f"DATABASE_URL is malformed: {error}") from None
    if not config.get("NAME"):
        raise DatabaseURLError("DATABASE_URL names no database: add /NAME at its end.")
    config["ENGINE"] = "django.db.backends.postgresql"
    config.setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
    return config
