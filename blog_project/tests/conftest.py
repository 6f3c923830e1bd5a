"""Fixtures for the operations tests: the test database as the backup code sees it, and real content."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from psycopg import sql

from blog_project.backups.connection import Database, drop_database, user_tables

BASE_DIR = Path(__file__).resolve().parents[2]
OFFSITE_PREFIX = "blog-backups"
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "blog.example.org,127.0.0.1",
    "SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO,https",
}


@pytest.fixture
def source_database(transactional_db) -> Database:
    """The test database; the tests that use it commit their rows so pg_dump sees them."""
    return Database.from_settings()


@pytest.fixture
def backup_dir(tmp_path) -> Path:
    return tmp_path / "backups"


@pytest.fixture
def scratch_databases(source_database):
    """Names handed out here are dropped after the test."""
    names = []

    def make(suffix: str) -> Database:
        name = f"{source_database.name}_{suffix}_{os.getpid()}"
        drop_database(source_database, name)
        names.append(name)
        return source_database.with_name(name)

    yield make
    for name in names:
        drop_database(source_database, name)


@pytest.fixture
def blog_content(source_database, settings):
    """Posts with sections of every type, tags and an image file, committed."""
    from content.tests.factories import (
        AudioSectionFactory,
        ImageSectionFactory,
        PostFactory,
        SectionFactory,
        TagFactory,
        VideoSectionFactory,
    )

    tags = [TagFactory(name="history"), TagFactory(name="café ☕")]
    for number in range(3):
        post = PostFactory(tags=tags, llm_metadata={"summary": {"model": "x", "quote": 'it\'s "fine"\n'}})
        SectionFactory(post=post, position=1, content=f"Text with 'quotes', tabs\t and a backslash \\ {number}")
        ImageSectionFactory(post=post, position=2)
        VideoSectionFactory(post=post, position=3, keywords=["a", "b"])
        AudioSectionFactory(post=post, position=4)
    return settings.MEDIA_ROOT


def table_digests(database: Database) -> dict[str, tuple[int, str]]:
    """Row count and a digest of every row's text of every table, independent of row order."""
    digests = {}
    with database.connect() as connection:
        for schema, table in user_tables(connection):
            query = sql.SQL(
                "SELECT count(*), md5(coalesce(string_agg(md5(t::text), '' ORDER BY md5(t::text)), '')) FROM {}.{} t"
            ).format(sql.Identifier(schema), sql.Identifier(table))
            digests[f"{schema}.{table}"] = tuple(connection.execute(query).fetchone())
    return digests


def manage_environment(database: Database | None = None, **variables: str) -> dict[str, str]:
    """The environment of a ``manage.py`` process on ``database`` (through DATABASE_URL) when given."""
    environment = {**os.environ, **variables}
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    environment.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser fixture for its own process
    if database is not None:
        environment["DATABASE_URL"] = database.url()
    return environment


def run_manage(*args: str, env: dict | None = None, database: Database | None = None, **kwargs):
    """``manage.py`` in a new process."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=manage_environment(database, **(env or {})),
        capture_output=True,
        text=True,
        timeout=120,
        **kwargs,
    )


@pytest.fixture
def production_environment(source_database, tmp_path):
    static_root = tmp_path / "static"
    environment = manage_environment(
        source_database, **PRODUCTION, STATIC_ROOT=str(static_root), MEDIA_ROOT=str(tmp_path / "media")
    )
    collected = subprocess.run(
        [str(BASE_DIR / ".venv" / "bin" / "python"), "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
    )
    assert collected.returncode == 0, collected.stderr
    return environment


@pytest.fixture(scope="module")
def private_postgres():
    """A PostgreSQL of the fault tests' own (fault_servers.py), which they may stop; removed after the module."""
    from blog_project.tests.fault_servers import PrivatePostgres

    server = PrivatePostgres()
    yield server
    server.remove()


@pytest.fixture
def faulty_database(private_postgres, source_database):
    """A copy of the test database (what the test committed before asking for it) on ``private_postgres``,
    which runs again after the test whatever the test did to it."""
    copy = private_postgres.copy_of(source_database, "blog_faults")
    yield copy
    if not private_postgres.running():
        private_postgres.start()


def pytest_collection_modifyitems(config, items):
    """The scale test runs only when asked for by marker (`make scale-test`: ``-m scale``), never in `make test`."""
    if "scale" in (config.option.markexpr or ""):
        return
    kept = [item for item in items if item.get_closest_marker("scale") is None]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[item for item in items if item.get_closest_marker("scale")])
        items[:] = kept


@pytest.fixture
def offsite_storage(settings, s3_bucket, backup_dir):
    """The storage "backups" on a bucket of moto's S3 server, BACKUP_DIR in the test's folder, no key yet."""
    settings.BACKUP_DIR = backup_dir
    settings.BACKUP_ENCRYPTION_KEY = ""
    options = s3_bucket.storage_options(location=OFFSITE_PREFIX, querystring_auth=True, file_overwrite=True)
    settings.STORAGES = {
        **settings.STORAGES,
        "backups": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options},
    }
    return s3_bucket


@pytest.fixture
def encryption_key(settings):
    """A new age key pair, the secret one in BACKUP_ENCRYPTION_KEY: (secret, public)."""
    from blog_project.backups.encryption import generate_key

    secret, public = generate_key()
    settings.BACKUP_ENCRYPTION_KEY = secret
    return secret, public
