"""Where a database lives, and how the PostgreSQL client programs reach it.

Connection details travel to ``pg_dump``/``psql``/``pg_restore`` through ``PG*``
environment variables, so a password never appears on a command line (``ps`` shows those).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from urllib.parse import quote, unquote, urlencode

import psycopg
from psycopg import sql

from blog_project.backups.errors import BackupError, one_line
from blog_project.database_config import DatabaseURLError, database_url_config

# Options of a Django database setting that have a libpq environment variable.
_OPTION_VARIABLES = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
}


@dataclass(frozen=True)
class Database:
    name: str
    host: str = ""
    port: str = ""
    user: str = ""
    password: str = ""
    options: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_settings(cls, alias: str = "default") -> Database:
        """The database Django is configured with (starting the embedded server if it is the default)."""
        from django.db import connections

        connection = connections[alias]
        if hasattr(connection, "ensure_server_settings"):
            connection.ensure_server_settings()
        return cls.from_settings_dict(connection.settings_dict)

    @classmethod
    def from_settings_dict(cls, settings_dict: dict) -> Database:
        options = dict(settings_dict.get("OPTIONS") or {})
        host = settings_dict.get("HOST") or options.pop("host", "")
        port = settings_dict.get("PORT") or options.pop("port", "")
        return cls(
            name=settings_dict["NAME"],
            host=unquote(str(host or "")),
            port=str(port or ""),
            user=settings_dict.get("USER") or "",
            password=settings_dict.get("PASSWORD") or "",
            options=tuple((key, str(value)) for key, value in options.items() if key in _OPTION_VARIABLES),
        )

    @classmethod
    def from_url(cls, url: str) -> Database:
        try:
            return cls.from_settings_dict(database_url_config(url, "--target"))
        except DatabaseURLError as error:
            raise BackupError(one_line(error)) from None

    def with_name(self, name: str) -> Database:
        return replace(self, name=name)

    def url(self) -> str:
        """A DATABASE_URL for this database (host and port as query parameters, so a socket folder works too)."""
        query = urlencode({key: value for key, value in (("host", self.host), ("port", self.port)) if value})
        credentials = quote(self.user) + (":" + quote(self.password) if self.password else "")
        return f"postgres://{credentials}@/{quote(self.name)}?{query}"

    def describe(self) -> str:
        """Where the database is, without its password."""
        return f"{self.name} on {self.host or 'localhost'}:{self.port or 5432}"

    def client_environment(self) -> dict[str, str]:
        """Environment for the client programs: ``os.environ`` plus this database's ``PG*`` variables."""
        environment = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
        values = {
            "PGDATABASE": self.name,
            "PGHOST": self.host,
            "PGPORT": self.port,
            "PGUSER": self.user,
            "PGPASSWORD": self.password,
        }
        values.update({_OPTION_VARIABLES[key]: value for key, value in self.options})
        environment.update({key: value for key, value in values.items() if value})
        return environment

    def connect(self, *, autocommit: bool = True, dbname: str | None = None) -> psycopg.Connection:
        params = {
            "dbname": dbname or self.name,
            "host": self.host or None,
            "port": self.port or None,
            "user": self.user or None,
            "password": self.password or None,
            "connect_timeout": 10,
            **dict(self.options),
        }
        try:
            return psycopg.connect(autocommit=autocommit, **{k: v for k, v in params.items() if v is not None})
        except psycopg.Error as error:
            raise BackupError(f"cannot connect to database {self.describe()}: {one_line(error)}") from None


def server_version(connection: psycopg.Connection) -> tuple[int, str]:
    """The server's major version and its full version string (``18``, ``"18.6"``)."""
    number = int(connection.execute("SHOW server_version_num").fetchone()[0])
    text = connection.execute("SHOW server_version").fetchone()[0].split()[0]
    return number // 10000, text


def user_tables(connection: psycopg.Connection) -> list[tuple[str, str]]:
    """(schema, table) of every ordinary or partitioned table outside the system schemas."""
    rows = connection.execute(
        "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition "
        "AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%' "
        "ORDER BY 1, 2"
    ).fetchall()
    return [(schema, table) for schema, table in rows]


def row_counts(connection: psycopg.Connection) -> dict[str, int]:
    """Exact row count of every user table, keyed ``schema.table``."""
    counts = {}
    for schema, table in user_tables(connection):
        query = sql.SQL("SELECT count(*) FROM {}.{}").format(sql.Identifier(schema), sql.Identifier(table))
        counts[f"{schema}.{table}"] = connection.execute(query).fetchone()[0]
    return counts


def database_exists(server: Database, name: str) -> bool:
    with server.connect(dbname="postgres") as connection:
        return connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def create_database(server: Database, name: str) -> None:
    with server.connect(dbname="postgres") as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_database(server: Database, name: str) -> None:
    with server.connect(dbname="postgres") as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
