"""Backups an admin can trust: dump, manifest, retention, restore and verification.

One module per concern; the management commands (pg_backup, pg_restore, verify_backup,
list_backups) are thin wrappers around these services. Every failure is a
``BackupError`` whose message is one line, ready for cron's mail.
"""
