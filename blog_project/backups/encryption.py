"""Encrypting off-site copies with age (pyrage, the Rust implementation's bindings), streamed in 64 kB chunks.

``BACKUP_ENCRYPTION_KEY`` is an age secret key (``AGE-SECRET-KEY-1…``: encrypts and decrypts) or
only its public key (``age1…``: encrypts; a server holding it cannot read its own off-site copies,
and a restore needs the secret key). The files are standard age files: ``age -d -i key.txt`` reads
them without this project.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from blog_project.backups.errors import BackupError

SUFFIX = ".age"


@dataclass(frozen=True)
class Key:
    recipient: object  # pyrage.x25519.Recipient
    identity: object | None  # pyrage.x25519.Identity, None when only the public key is known


def parse_key(text: str) -> Key:
    from pyrage import IdentityError, RecipientError, x25519

    text = text.strip()
    try:
        if text.startswith("AGE-SECRET-KEY-1"):
            identity = x25519.Identity.from_str(text)
            return Key(identity.to_public(), identity)
        if text.startswith("age1"):
            return Key(x25519.Recipient.from_str(text), None)
    except (IdentityError, RecipientError, ValueError):
        pass
    raise BackupError(
        "BACKUP_ENCRYPTION_KEY is not an age key: it must be a secret key AGE-SECRET-KEY-1… or a public key age1… "
        "(generate one with `manage.py pg_backup --generate-key`)."
    )


def configured_key() -> Key | None:
    return parse_key(settings.BACKUP_ENCRYPTION_KEY) if settings.BACKUP_ENCRYPTION_KEY else None


def generate_key() -> tuple[str, str]:
    """A new (secret key, public key) pair."""
    from pyrage import x25519

    identity = x25519.Identity.generate()
    return str(identity), str(identity.to_public())


def private_writer(path: Path):
    return os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb")


def encrypt_file(source: Path, destination: Path, key: Key) -> None:
    import pyrage

    with source.open("rb") as reader, private_writer(destination) as writer:
        pyrage.encrypt_io(reader, writer, [key.recipient])


def decrypt_file(source: Path, destination: Path, key: Key | None) -> None:
    import pyrage

    if key is None or key.identity is None:
        raise BackupError(
            f"{source.name} is encrypted: set BACKUP_ENCRYPTION_KEY to the secret key (AGE-SECRET-KEY-1…) "
            "it was made for; the public key (age1…) cannot decrypt."
        )
    try:
        with source.open("rb") as reader, private_writer(destination) as writer:
            pyrage.decrypt_io(reader, writer, [key.identity])
    except (pyrage.DecryptError, OSError, ValueError) as error:
        destination.unlink(missing_ok=True)
        raise BackupError(
            f"{source.name} cannot be decrypted with BACKUP_ENCRYPTION_KEY ({error}): another key, or a damaged copy."
        ) from None
