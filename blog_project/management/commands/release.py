"""The release step of a deploy: migrate, then collectstatic, one run at a time across every machine.

Run it once per deploy before (re)starting the web processes (``make release``); ``make serve`` no
longer migrates. The whole step holds a PostgreSQL advisory lock, so two machines releasing at once
do not race to create the same tables: the second waits, then finds nothing left to migrate.
"""

import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

# pg_advisory_lock's key for releases: "blog" and "rels" in ASCII, out of the way of other users' keys.
LOCK_KEY = 0x626C6F67_72656C73
POLL_SECONDS = 0.5


class Command(BaseCommand):
    help = (
        "Release step of a deploy: migrate the database, then collect static files, under a PostgreSQL "
        "advisory lock so that concurrent runs (several machines) wait for each other instead of colliding."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--lock-timeout",
            type=float,
            default=600.0,
            help="seconds to wait for another release to finish (default 600)",
        )
        parser.add_argument("--skip-static", action="store_true", help="migrate only; no collectstatic")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="the database to migrate")

    def handle(self, *args, **options):
        connection = connections[options["database"]]
        self.acquire(connection, options["lock_timeout"])
        try:
            call_command("migrate", database=options["database"], interactive=False, verbosity=options["verbosity"])
            if not options["skip_static"]:
                call_command("collectstatic", interactive=False, verbosity=max(0, options["verbosity"] - 1))
        finally:
            self.release(connection)
        if options["verbosity"]:
            self.stdout.write(
                "Release step done: database migrated"
                + ("." if options["skip_static"] else ", static files collected.")
            )

    def acquire(self, connection, timeout: float) -> None:
        """Take the session-level lock on Django's own connection (freed with the session if the process dies)."""
        deadline = time.monotonic() + timeout
        told = False
        while True:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY])
                if cursor.fetchone()[0]:
                    return
            if time.monotonic() >= deadline:
                raise CommandError(
                    f"another release has held the lock for more than {timeout:g} s; nothing was done. "
                    "Wait for it to end (or stop it), then run the release again."
                )
            if not told:
                self.stderr.write("Another release is running; waiting for it to finish…")
                told = True
            time.sleep(POLL_SECONDS)

    @staticmethod
    def release(connection) -> None:
        if connection.connection is None:  # the session ended: PostgreSQL freed the lock with it
            return
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])
