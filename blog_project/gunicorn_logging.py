"""gunicorn's logger (``logger_class`` in gunicorn_conf.py), so that its lines read like the site's.

With LOG_FORMAT=json its error lines go through ``JsonFormatter`` and each access line is fields (the request
id the response carries back, the duration in ms…) rather than Apache's format. It reads the environment, not
Django's settings: gunicorn's master process never loads them.
"""

from __future__ import annotations

import os

from gunicorn.glogging import Logger as GunicornLogger

from blog_project.json_logging import JsonFormatter
from blog_project.request_log import DEFAULT_HEADER, valid_request_id


class Logger(GunicornLogger):
    def setup(self, cfg) -> None:
        super().setup(cfg)
        self.json = os.environ.get("LOG_FORMAT", "text") == "json"
        self.request_id_header = os.environ.get("REQUEST_ID_HEADER", DEFAULT_HEADER).lower()
        if self.json:
            for log in (self.error_log, self.access_log):
                for handler in log.handlers:
                    handler.setFormatter(JsonFormatter())

    def access(self, resp, req, environ, request_time) -> None:
        if not self.json:
            super().access(resp, req, environ, request_time)
            return
        if not self.access_log_enabled:
            return
        atoms = self.atoms(resp, req, environ, request_time)
        request_id = atoms.get(f"{{{self.request_id_header}}}o") or atoms.get(f"{{{self.request_id_header}}}i")
        fields = {
            "method": atoms["m"],
            "path": environ.get("RAW_URI") or atoms["U"],
            "protocol": atoms["H"],
            "status": int(atoms["s"]) if str(atoms["s"]).isdigit() else atoms["s"],
            "bytes": atoms["B"],
            "duration_ms": round(request_time.total_seconds() * 1000, 1),
            "request_id": request_id if valid_request_id(request_id) else None,
            "remote_addr": atoms["h"],
            "user_agent": environ.get("HTTP_USER_AGENT"),
            "referer": environ.get("HTTP_REFERER"),
        }
        try:
            self.access_log.info("%s %s %s", fields["method"], fields["path"], fields["status"], extra=fields)
        except Exception:
            self.exception("could not write an access line")
