"""The backups dashboard in the admin: newest good backups, the last drills and their chart; staff only."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from blog_project.backups import files
from operations.services import record_drill

URL = "/admin/operations/restoredrill/dashboard/"


def drill(ago: timedelta, **fields):
    values = {
        "succeeded": True,
        "source": "this server (BACKUP_DIR)",
        "backup_file": "blog_backup_20261130_030000.sql",
        "restore_seconds": 2.0,
        "total_seconds": 2.5,
        "tables": 30,
        "rows": 1234,
        "details": {"smoke": {"live_posts": 7}, "mismatches": {}},
        **fields,
    }
    return record_drill(started_at=timezone.now() - ago, **values)


def backup(directory, age: timedelta, size: int) -> str:
    directory.mkdir(parents=True, exist_ok=True)
    stamp = (timezone.now() - age).strftime(files.STAMP_FORMAT)
    (directory / f"blog_backup_{stamp}.sql").write_bytes(b"x" * size)
    (directory / f"blog_backup_{stamp}.manifest.json").write_text("{}")
    return f"blog_backup_{stamp}.sql"


@pytest.mark.django_db
def test_the_dashboard_shows_the_newest_backup_the_last_drill_and_a_chart(staff_client, settings, tmp_path):
    settings.BACKUP_DIR = tmp_path / "backups"
    name = backup(settings.BACKUP_DIR, timedelta(minutes=30), 2_500_000)
    drill(timedelta(days=2), succeeded=False, total_seconds=0.4, error="there is no complete backup in /x.")
    drill(timedelta(days=1), total_seconds=3.0)
    drill(timedelta(hours=3), total_seconds=4.5)

    page = staff_client.get(URL).content.decode()

    backups = page[page.index('id="newest-backups"') : page.index("</ul>", page.index('id="newest-backups"'))]
    assert name in backups and "30\xa0minutes ago" in backups and "2.5 MB" in backups
    assert "errornote" not in backups
    last = page[page.index('id="last-drill"') : page.index("</p>", page.index('id="last-drill"'))]
    assert "The last drill, 3\xa0hours ago" in last and "in 4.5 seconds and found it good" in last
    assert "30 tables, 1234 rows" in last and "7 live posts" in last
    bars = re.findall(r'<rect [^>]*fill="(#[0-9a-f]{6})"><title>([^<]*)</title>', page)
    assert [colour for colour, _ in bars] == ["#ba2121", "#417690", "#417690"]  # oldest first, the failed one red
    assert bars[2][1].endswith("passed: 4.5 s")
    assert "failed: there is no complete backup in /x." in page


@pytest.mark.django_db
def test_old_backups_and_missing_drills_are_said_plainly(staff_client, settings, tmp_path):
    settings.BACKUP_DIR = tmp_path / "backups"
    backup(settings.BACKUP_DIR, timedelta(hours=5), 100)

    page = staff_client.get(URL).content.decode()

    assert "older than it should be: backups run every hour" in page
    assert "No restore drill has run yet" in page

    drill(timedelta(days=3))
    assert "No drill has run for more than a day" in staff_client.get(URL).content.decode()


@pytest.mark.django_db
def test_an_empty_backup_folder_and_the_offsite_copy(staff_client, settings, tmp_path, s3_bucket):
    settings.BACKUP_DIR = tmp_path / "nothing-here"
    options = s3_bucket.storage_options(location="blog-backups")
    settings.STORAGES = {
        **settings.STORAGES,
        "backups": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options},
    }
    for name, body in (("sql.age", b"x" * 4000), ("manifest.json.age", b"{}")):
        key = f"blog-backups/blog_backup_20261130_030000.{name}"
        s3_bucket.client.put_object(Bucket=s3_bucket.name, Key=key, Body=body)

    page = staff_client.get(URL).content.decode()

    assert "This server (BACKUP_DIR" in page and "no backup yet." in page
    assert "Off-site storage &#x27;backups&#x27;:</strong>\n    blog_backup_20261130_030000.sql.age" in page
    assert "4.0 kB" in page


@pytest.mark.django_db
def test_staff_only_and_with_the_view_permission(client, django_user_model):
    reader = django_user_model.objects.create_user("reader", password="pass-word-123")
    client.force_login(reader)
    assert client.get(URL).status_code == 302  # to the admin's login

    reader.is_staff = True
    reader.save()
    assert client.get(URL).status_code == 403
    reader.user_permissions.add(Permission.objects.get(codename="view_restoredrill"))
    assert client.get(URL).status_code == 200


@pytest.mark.django_db
def test_the_drill_list_links_to_the_dashboard_and_adds_nothing(staff_client):
    drill(timedelta(hours=1))
    page = staff_client.get(reverse("admin:operations_restoredrill_changelist")).content.decode()

    assert URL in page and "Backups dashboard" in page
    assert staff_client.get(reverse("admin:operations_restoredrill_add")).status_code == 403
