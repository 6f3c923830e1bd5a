"""PostgreSQL backend that starts the embedded server on first use.

It is the project's PostgreSQL backend (``db_backends.postgresql``: Django's, with a health check
that cannot hang) in every other respect; settings select it
only when ``DATABASE_URL`` is unset. The server is started by the first connection
(or ``dbshell``), never at import time.
"""

from pathlib import Path

from django.db.backends.postgresql import client

from blog_project.db_backends.postgresql import base
from blog_project.embedded_postgres import ensure_server


class DatabaseClient(client.DatabaseClient):
    def runshell(self, parameters):
        self.connection.ensure_server_settings()
        super().runshell(parameters)


class DatabaseWrapper(base.DatabaseWrapper):
    client_class = DatabaseClient

    def ensure_server_settings(self) -> None:
        """Start or reuse the server and point HOST/PORT at its socket."""
        server = ensure_server(Path(self.settings_dict["EMBEDDED_DATA_DIR"]), self.settings_dict["NAME"])
        self.settings_dict["HOST"] = str(server.socket_dir)
        self.settings_dict["PORT"] = str(server.port)

    def get_connection_params(self):
        self.ensure_server_settings()
        return super().get_connection_params()
