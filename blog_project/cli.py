"""Entry point for manage.py that turns database misconfiguration into one line."""

import os
import sys

from blog_project.database_config import DatabaseURLError


def run_management_command(argv: list[str]) -> int:
    from django.core.management import execute_from_command_line
    from django.db import OperationalError

    try:
        execute_from_command_line(argv)
    except DatabaseURLError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except OperationalError as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        source = "DATABASE_URL" if os.environ.get("DATABASE_URL") else "the embedded PostgreSQL (DATABASE_URL is unset)"
        print(f"error: cannot connect to the database of {source}: {reason}", file=sys.stderr)
        return 2
    return 0
