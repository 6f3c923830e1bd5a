"""`manage.py run_worker`: `db_worker`'s options, through database outages, failing the tasks of dead workers.

See blog_project/task_worker.py. `make run` and `make worker` start it.
"""

import os

from django.conf import settings
from django.core.management.base import CommandError
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands import db_worker

from blog_project.task_worker import LEASE_PREFIX, LeasedWorker


class Command(db_worker.Command):
    help = (
        "Run queued tasks as db_worker does, waiting out database outages, and mark failed the running tasks "
        "whose worker is gone."
    )
    # Django's system checks ask the database (the server version); a worker started during an outage must wait
    # for it, not exit. `manage.py check` (run by `release`) reports a broken setup.
    requires_system_checks = []

    def handle(self, *, verbosity, queue_name, interval, batch, reload, worker_id, exclude_queues, **options):
        self.configure_logging(verbosity)
        if reload and batch:
            reload = False
        queue_names = queue_name.split(",")
        excluded = exclude_queues.split(",") if exclude_queues else []
        if excluded and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        if {"llm", "*"} & set(queue_names):
            from llm.client import preload

            preload()  # before the first task, so no editor waits for the import
        worker = LeasedWorker(
            queue_names=queue_names,
            interval=interval,
            batch=batch,
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=(LEASE_PREFIX + worker_id)[:64],
            excluded_queue_names=excluded,
            lease_check_seconds=settings.TASK_LEASE_CHECK_SECONDS,
        )
        if reload:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()  # only the child runs tasks
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
