"""Project hygiene: the locks cover every pin with hashes, the git hooks use the pinned ruff, mypy runs in
`make lint`, the licence and the changelog are there in their formats."""

import re
import subprocess
import tomllib

import pytest

from blog_project.tests.conftest import BASE_DIR

PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]+\])?==([^\s;\\]+)", re.MULTILINE)


def normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(file: str) -> dict[str, str]:
    return {normal(name): version for name, version in PIN.findall((BASE_DIR / file).read_text())}


def lock_entries(file: str) -> list[str]:
    """Each package's block of a lock file: its pin line, its hashes, its comments."""
    text = (BASE_DIR / file).read_text()
    return [block for block in re.split(r"\n(?=[A-Za-z0-9])", text) if PIN.match(block)]


@pytest.mark.parametrize(
    ("requirements", "lock"),
    [("requirements.txt", "requirements.lock"), ("requirements-dev.txt", "requirements-dev.lock")],
)
def test_every_pin_is_locked_at_its_version_with_hashes(requirements, lock):
    wanted, locked = pins(requirements), pins(lock)
    assert wanted, requirements
    mismatched = {name: (version, locked.get(name)) for name, version in wanted.items() if locked.get(name) != version}
    assert not mismatched, f"run `make lock`: {mismatched}"
    for block in lock_entries(lock):
        assert re.search(r"--hash=sha256:[0-9a-f]{64}", block), block.splitlines()[0]


def test_the_runtime_lock_agrees_with_the_development_lock():
    runtime, development = pins("requirements.lock"), pins("requirements-dev.lock")
    assert {name: development.get(name) for name in runtime} == runtime


def test_make_install_installs_the_lock_with_hashes_required():
    makefile = (BASE_DIR / "Makefile").read_text()
    assert "pip install --quiet --require-hashes -r requirements-dev.lock" in makefile
    assert "$(VENV)/.installed: requirements.lock requirements-dev.lock" in makefile


def test_pre_commit_uses_the_pinned_ruff_and_runs_mypy():
    config = (BASE_DIR / ".pre-commit-config.yaml").read_text()
    rev = re.search(r"astral-sh/ruff-pre-commit\n\s+rev: v(\S+)", config)
    assert rev and rev.group(1) == pins("requirements-dev.txt")["ruff"]
    assert "id: ruff-check" in config and "id: ruff-format" in config and "entry: .venv/bin/mypy" in config
    completed = subprocess.run(
        [str(BASE_DIR / ".venv" / "bin" / "pre-commit"), "validate-config", ".pre-commit-config.yaml"],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_mypy_checks_the_services_and_selectors_in_make_lint():
    config = tomllib.loads((BASE_DIR / "pyproject.toml").read_text())
    files = config["tool"]["mypy"]["files"]
    assert all((BASE_DIR / file).is_file() for file in files)
    assert {file for file in files if file.endswith(("services.py", "selectors.py"))} >= {
        "content/editorial/services.py",
        "content/site/selectors.py",
        "media_library/services.py",
        "media_library/selectors.py",
        "llm/services.py",
        "llm/selectors.py",
    }
    assert {"mypy", "django-stubs"} <= set(pins("requirements-dev.txt"))
    lint = subprocess.run(["make", "-n", "lint"], cwd=BASE_DIR, capture_output=True, text=True).stdout
    assert ".venv/bin/mypy" in lint


def test_the_licence_is_mit_and_the_changelog_keeps_a_changelog():
    assert (BASE_DIR / "LICENSE").read_text().startswith("MIT License\n")
    assert tomllib.loads((BASE_DIR / "pyproject.toml").read_text())["project"]["license"] == "MIT"
    changelog = (BASE_DIR / "CHANGELOG.md").read_text()
    assert changelog.startswith("# Changelog\n") and "keepachangelog.com" in changelog
    versions = re.findall(r"^## \[([^\]]+)\]", changelog, re.MULTILINE)
    assert versions and versions[0] == "Unreleased"
    kinds = set(re.findall(r"^### (\w+)$", changelog, re.MULTILINE))
    assert kinds and kinds <= {"Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"}
