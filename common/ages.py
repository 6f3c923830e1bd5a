"""Ages given to management commands, such as ``--older-than 30d``."""

import re
from datetime import timedelta

UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
AGE = re.compile(r"\s*(\d+)\s*([smhdw])\s*")


def parse_age(text: str) -> timedelta:
    """ "30d", "2w", "12h", "90m" or "45s" as a timedelta of at least one unit; ValueError otherwise."""
    match = AGE.fullmatch(text or "")
    if not match or int(match[1]) < 1:
        raise ValueError(f"{text!r} is not an age such as 30d, 2w or 12h (a whole number and s, m, h, d or w).")
    return timedelta(**{UNITS[match[2]]: int(match[1])})


def add_older_than(parser, *, default: str, what: str) -> None:
    """The ``--older-than`` option of the commands that remove old rows."""
    parser.add_argument("--older-than", default=default, help=f"{what}, like 30d, 12h or 90m (default: {default}).")


def older_than(options: dict) -> timedelta:
    """The ``--older-than`` age of a command's options; a CommandError naming the option when it is no age."""
    from django.core.management.base import CommandError

    try:
        return parse_age(options["older_than"])
    except ValueError as error:
        raise CommandError(f"--older-than: {error}") from None
