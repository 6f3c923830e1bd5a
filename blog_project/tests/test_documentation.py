"""Every setting and make target added for serving through faults is documented in the README."""

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
