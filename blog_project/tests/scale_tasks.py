"""A task for the scale test (imported by the workers by its path): each run appends one line to a file."""

import os
import time

from django.tasks import task


@task
def record_run(path: str, number: int, seconds: float = 0.0) -> int:
    time.sleep(seconds)
    with open(path, "a") as runs:  # one short append: whole lines, whichever process writes
        runs.write(f"{number} {os.getpid()}\n")
    return number
