"""Every setting, command and make target added for operations is documented in the README."""

import re

import pytest

from blog_project.tests.conftest import BASE_DIR

README = (BASE_DIR / "README.md").read_text()
SOURCES = "\n".join(
    (BASE_DIR / "blog_project" / name).read_text() for name in ("settings.py", "database_config.py", "health.py")
)


@pytest.mark.parametrize(
    "variable",
    [
        "DATABASE_CONNECT_TIMEOUT",
        "DATABASE_STATEMENT_TIMEOUT",
        "COMMAND_STATEMENT_TIMEOUT",
        "HEALTHZ_DB_TIMEOUT_MS",
        "TRUSTED_PROXY_COUNT",
        "PAGE_CACHE_GRACE_SECONDS",
        "REDIS_TIMEOUT",
        "TASK_LEASE_CHECK_SECONDS",
        "TASK_RUNNING_LIMIT_SECONDS",
        "REQUEST_ID_HEADER",
        "CACHE_KEY_PREFIX",
        "PUBLIC_CACHE_MEMORY_MB",
    ],
)
def test_each_new_variable_is_read_and_has_a_row_in_the_configuration_table(variable):
    assert re.search(rf"^\| `{variable}` \| `[^`]+` \| .{{40,}}", README, re.MULTILINE), variable
    assert f'"{variable}"' in SOURCES


def test_make_release_is_documented_and_serve_no_longer_migrates():
    makefile = (BASE_DIR / "Makefile").read_text()
    serve = makefile[makefile.index("\nserve:") : makefile.index("\nbackup:")]
    assert "migrate" not in serve and "collectstatic" not in serve
    assert "$(MANAGE) release" in makefile
    assert re.search(r"^\| `make release` \| .*advisory lock", README, re.MULTILINE)
    assert "`make release`" in README[README.index("### Production serving") :]


def test_make_run_and_make_worker_start_the_worker_that_outlives_outages():
    makefile = (BASE_DIR / "Makefile").read_text()
    assert "db_worker" not in makefile
    for target in ("\nrun:", "\nworker:"):
        recipe = makefile[makefile.index(target) :].split("\n\n", 1)[0]
        assert "run_worker --queue-name $(PUBLISHING_QUEUES)" in recipe and "run_worker --queue-name llm" in recipe
    assert re.search(r"^\| `manage.py run_worker` \| .*database outages", README, re.MULTILINE)
    assert "### Serving through faults" in README


def test_every_make_target_has_a_row_in_the_make_targets_table():
    makefile = (BASE_DIR / "Makefile").read_text()
    targets = set(re.findall(r"^([a-z-]+):.*## ", makefile, re.MULTILINE)) - {"help"}
    table = README[README.index("## Make targets") : README.index("## Configuration")]
    documented = set(re.findall(r"^\| `make ([a-z-]+)` \|", table, re.MULTILINE))
    assert targets <= documented, targets - documented


@pytest.mark.parametrize(
    "variable",
    [
        "SERVE_MEDIA",
        "BACKUP_UPLOAD",
        "BACKUP_ENCRYPTION_KEY",
        "BACKUP_STORAGE_BUCKET",
        "BACKUP_STORAGE_PREFIX",
    ],
)
def test_each_operations_variable_is_read_and_documented(variable):
    assert re.search(rf"^\| `{variable}` \| [^|]+ \| .{{40,}}", README, re.MULTILINE), variable
    assert f'"{variable}"' in SOURCES


def test_the_backup_storage_overrides_are_read_and_documented():
    for name in ("ENDPOINT_URL", "ACCESS_KEY_ID", "SECRET_ACCESS_KEY", "REGION_NAME"):
        assert f'_backup_storage_env("{name}"' in SOURCES
        assert f"`BACKUP_STORAGE_{name}`" in README


@pytest.mark.parametrize(
    ("command", "options"),
    [
        ("copy_media_to_storage", ["--from", "--to", "--dry-run"]),
        ("restore_drill", ["--from-storage", "--server"]),
        ("pg_backup", ["--upload", "--generate-key"]),
        ("pg_restore", ["--from-storage"]),
        ("list_backups", ["--storage"]),
    ],
)
def test_each_operations_command_and_option_has_a_row_in_the_commands_table(command, options):
    rows = re.findall(rf"^\| `manage.py {command}[ `].*$", README, re.MULTILINE)
    assert rows, command
    for option in options:
        assert any(option in row for row in rows), (command, option)


def test_the_cron_section_and_the_crontab_agree_on_the_daily_drill():
    from django.test import override_settings

    from blog_project.backups.crontab import crontab_lines

    cron = README[README.index("### Cron") : README.index("### Restore runbook")]
    with override_settings(BACKUP_UPLOAD=False):
        line = next(line for line in crontab_lines(media=True) if " restore_drill " in line)
    assert line.split(" cd ")[0] in cron and "manage.py restore_drill >> /srv/blog/var/log/restore_drill.log" in cron


def test_the_runbook_restores_from_the_offsite_copy_and_says_how_to_decrypt():
    runbook = README[README.index("### Restore runbook") : README.index("### Production serving")]
    assert "pg_restore latest --from-storage backups" in runbook
    assert "list_backups --storage backups" in runbook
    assert "age -d -i key.txt" in runbook and "BACKUP_ENCRYPTION_KEY=AGE-SECRET-KEY-1" in runbook
    assert "pg_backup --generate-key" in README[README.index("### Off-site copies") :]


def test_the_proxy_configuration_is_shipped_and_documented():
    for name in ("blog.conf", "blog-locations.conf"):
        assert (BASE_DIR / "deploy" / "nginx" / name).is_file()
        assert f"deploy/nginx/{name}" in README
    assert "SERVE_MEDIA=true" in README[README.index("### Production serving") :]
