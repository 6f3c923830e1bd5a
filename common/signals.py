"""Signals between the project's wiring and its apps, so that neither has to import the other."""

from django.dispatch import Signal

# Sent by blog_project's restore once a backup is loaded, with ``connection``: an open psycopg
# connection to the restored database. The restore loads tables without their triggers, so
# whatever an app derives from them (content's page-cache state) is stale until it is told.
database_restored = Signal()
