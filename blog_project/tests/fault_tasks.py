"""A task for the worker fault tests (imported by the worker processes by its path)."""

import time

from django.tasks import task


@task
def sleep_then_answer(seconds: float) -> str:
    time.sleep(seconds)
    return "done"
