from django.core.checks import run_checks

from blog_project.backups.encryption import generate_key
from operations.checks import check_backup_settings


def ids(settings) -> list[str]:
    return [problem.id for problem in check_backup_settings(None)]


def test_default_settings_raise_nothing(settings):
    assert ids(settings) == []
    assert run_checks(tags=["operations"]) == []


def test_the_key_must_be_an_age_key(settings):
    secret, public = generate_key()
    for good in (secret, public):
        settings.BACKUP_ENCRYPTION_KEY = good
        assert ids(settings) == []
    for bad in ("hunter2", "age1notakey", "AGE-SECRET-KEY-1XYZ"):
        settings.BACKUP_ENCRYPTION_KEY = bad
        assert ids(settings) == ["operations.E001"]


def test_upload_needs_a_storage_and_should_be_encrypted(settings):
    settings.BACKUP_UPLOAD = True
    assert ids(settings) == ["operations.E002", "operations.W001"]

    settings.STORAGES = {**settings.STORAGES, "backups": {"BACKEND": "storages.backends.s3.S3Storage"}}
    settings.BACKUP_ENCRYPTION_KEY = generate_key()[1]
    assert ids(settings) == []
