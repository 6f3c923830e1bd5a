"""The errors that say the database could not answer, as opposed to a bug in a query.

Down, restarting, refusing connections, a connection lost, or a statement past its timeout: the same
request may succeed in a moment. Django's wrapped classes and psycopg's own (code that talks to
psycopg directly: the content-state watcher, the task worker's lease).
"""

import psycopg
from django.db import InterfaceError, OperationalError

UNREACHABLE = (OperationalError, InterfaceError, psycopg.OperationalError, psycopg.InterfaceError)
