"""System checks of the off-site backup settings (read only: no network)."""

from django.conf import settings
from django.core.checks import Error, Warning, register

TAG = "operations"


@register(TAG)
def check_backup_settings(app_configs, **kwargs):
    problems = []
    key = settings.BACKUP_ENCRYPTION_KEY.strip()
    if key and not _is_age_key(key):
        problems.append(
            Error(
                "BACKUP_ENCRYPTION_KEY is not an age key; every off-site copy would fail.",
                hint="Set BACKUP_ENCRYPTION_KEY to the AGE-SECRET-KEY-1… line `manage.py pg_backup --generate-key` "
                "prints (or its public key age1… on a server that never restores).",
                id="operations.E001",
            )
        )
    if settings.BACKUP_UPLOAD and "backups" not in settings.STORAGES:
        problems.append(
            Error(
                "BACKUP_UPLOAD is on, but no off-site storage is configured; every backup would fail.",
                hint="Set BACKUP_STORAGE_BUCKET (and BACKUP_STORAGE_ENDPOINT_URL, credentials) or BACKUP_UPLOAD=false.",
                id="operations.E002",
            )
        )
    if settings.BACKUP_UPLOAD and not key:
        problems.append(
            Warning(
                "Off-site copies are not encrypted: anyone who can read the bucket reads the whole database.",
                hint="Set BACKUP_ENCRYPTION_KEY (`manage.py pg_backup --generate-key` makes one).",
                id="operations.W001",
            )
        )
    return problems


def _is_age_key(text: str) -> bool:
    from pyrage import IdentityError, RecipientError, x25519

    try:
        if text.startswith("AGE-SECRET-KEY-1"):
            x25519.Identity.from_str(text)
        else:
            x25519.Recipient.from_str(text)
    except (IdentityError, RecipientError, ValueError):
        return False
    return True
