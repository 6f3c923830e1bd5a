"""The Nu HTML checker (vnu.jar) and axe-core, for tests of public pages' validity and accessibility.

Both come from the npm registry at the versions pinned in ``test-tools/package.json`` (and its
lock file, with integrity hashes); the first test that needs them runs ``npm ci`` into
``test-tools/node_modules`` (git-ignored), once per machine. Install scripts are not run:
vnu-jar's would download a Java runtime, and the checker runs on the machine's own Java.
Without npm, Java or the files, a test fails in CI (``CI`` set) and is skipped elsewhere, with
the reason.
"""

import fcntl
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

TOOLS_DIR = Path(settings.BASE_DIR) / "test-tools"
VNU_JAR = TOOLS_DIR / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE_JS = TOOLS_DIR / "node_modules" / "axe-core" / "axe.min.js"
NPM_CI = ["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"]


def unavailable(reason: str):
    """Fail in CI, where every tool must be there; skip elsewhere."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI must run this test)", pytrace=False)
    pytest.skip(reason)


def _installed() -> bool:
    pinned = json.loads((TOOLS_DIR / "package.json").read_text())["devDependencies"]
    for name, version in pinned.items():
        manifest = TOOLS_DIR / "node_modules" / name / "package.json"
        if not manifest.is_file() or json.loads(manifest.read_text()).get("version") != version:
            return False
    return VNU_JAR.is_file() and AXE_JS.is_file()


def install_tools() -> None:
    """``npm ci`` in test-tools/ unless the pinned versions are there (one process at a time)."""
    if _installed():
        return
    if shutil.which("npm") is None:
        unavailable("npm is not installed: it installs the pinned vnu-jar and axe-core (test-tools/package.json)")
    with (TOOLS_DIR / ".install.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _installed():
            return
        result = subprocess.run(NPM_CI, cwd=TOOLS_DIR, capture_output=True, text=True, timeout=600, check=False)
        if result.returncode != 0 or not _installed():
            unavailable(f"`{' '.join(NPM_CI)}` in test-tools/ failed:\n{result.stdout}{result.stderr}")


@pytest.fixture(scope="session")
def nu_checker():
    """A function: {name: HTML document} -> {name: [error messages]}, every document in one run of vnu.jar."""
    if shutil.which("java") is None:
        unavailable("Java is not installed: the Nu HTML checker (vnu.jar) runs on it (apt-get install default-jre)")
    install_tools()

    def check(documents: dict[str, str], folder: Path) -> dict[str, list[str]]:
        paths = {}
        for number, (name, html) in enumerate(documents.items()):
            paths[name] = folder / f"page-{number}.html"
            paths[name].write_text(html, encoding="utf-8")
        command = ["java", "-jar", str(VNU_JAR), "--format", "json", "--stdout", "--exit-zero-always"]
        result = subprocess.run(
            [*command, *map(str, paths.values())], capture_output=True, text=True, timeout=300, check=False
        )
        if result.returncode != 0:
            pytest.fail(f"vnu.jar did not run: {result.stderr}", pytrace=False)
        names = {path.resolve().as_uri(): name for name, path in paths.items()}
        errors = {name: [] for name in documents}
        for message in json.loads(result.stdout)["messages"]:
            if message["type"] in ("error", "non-document-error"):
                url = message.get("url", "")
                name = names.get(url) or names.get(url.replace("file:/", "file:///", 1)) or url
                where = f"line {message.get('lastLine')}: " if "lastLine" in message else ""
                errors.setdefault(name, []).append(f"{where}{message['message']} [{message.get('extract', '')!r}]")
        return {name: found for name, found in errors.items() if found}

    return check


@pytest.fixture(scope="session")
def axe_script() -> str:
    """axe-core's axe.min.js, to inject into a page."""
    install_tools()
    return AXE_JS.read_text(encoding="utf-8")
