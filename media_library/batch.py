"""Derivatives for many images, spread over worker processes.

Workers get storage names only, never a database connection: the parent records
each result in its own transaction as it arrives. At most ``2 * workers`` jobs are
in flight, so memory stays bounded whatever the number of images. Workers ignore
Ctrl+C; the parent stops handing out work, lets running jobs finish and returns.
"""

import multiprocessing
import os
import signal
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait

from django.conf import settings

from media_library.derivatives import DerivativeResult, DerivativeSpec, derive

# Settings a worker needs to reach the same storage as its parent (tests change them at run time).
FORWARDED_SETTINGS = ("MEDIA_ROOT", "MEDIA_URL", "STORAGES")


def default_workers() -> int:
    return len(os.sched_getaffinity(0))


def _init_worker(overrides: dict) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "blog_project.settings")
    import django

    django.setup()
    for name, value in overrides.items():
        setattr(settings, name, value)


def run(jobs: Iterable[tuple[int | None, str]], spec: DerivativeSpec, workers: int) -> Iterator[DerivativeResult]:
    """Yield one result per ``(image_id, original name)`` job, in completion order."""
    if workers <= 1:
        for image_id, original in jobs:
            yield derive(image_id, original, spec)
        return
    overrides = {name: getattr(settings, name) for name in FORWARDED_SETTINGS}
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_init_worker,
        initargs=(overrides,),
    )
    pending: set[Future] = set()
    jobs = iter(jobs)
    try:
        while True:
            for image_id, original in jobs:
                pending.add(pool.submit(derive, image_id, original, spec))
                if len(pending) >= 2 * workers:
                    break
            if not pending:
                return
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                yield future.result()
    finally:
        # On Ctrl+C or an early close: drop queued jobs, let running ones finish their files.
        pool.shutdown(wait=True, cancel_futures=True)
