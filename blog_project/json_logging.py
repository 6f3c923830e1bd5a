"""A JSON-lines log formatter (LOG_FORMAT=json) for log collectors; no dependency needed.

Every process formats through it: the web app and commands by Django's LOGGING (settings.py), gunicorn's own
error and access lines by its logger class (gunicorn_logging.py).
"""

from __future__ import annotations

import json
import logging
import logging.config
from datetime import UTC, datetime

# Attributes every LogRecord has; anything else was passed with ``extra=`` and is kept.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}
# Django's own extras: the request (or the development server's socket) and a second time stamp. The
# message names the request already, and neither object reads usefully as a string.
_DROPPED = {"request", "server_time"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in _DROPPED and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str)


def configure(config: dict) -> None:
    """Django's LOGGING_CONFIG: ``dictConfig``, and Python's warnings through the same handlers, so that
    nothing but formatted lines reaches stderr."""
    logging.config.dictConfig(config)
    logging.captureWarnings(True)
