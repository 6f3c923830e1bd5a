"""The processes and their configuration: Procfile, systemd units, .env.example and the README agree with each
other and with the settings; the units pass systemd's own check; gunicorn accepts its settings module."""

import configparser
import os
import re
import shlex
import shutil
import subprocess

import pytest
from django.conf import settings

from blog_project.tests.conftest import BASE_DIR, manage_environment

README = (BASE_DIR / "README.md").read_text()
UNITS = sorted((BASE_DIR / "deploy" / "systemd").glob("*.service"))
VARIABLE = re.compile(r"`([A-Z][A-Z0-9_]+)`")


def configuration_table() -> set[str]:
    section = README[README.index("## Configuration") : README.index("### System checks")]
    rows = [line.split("|")[1] for line in section.splitlines() if line.startswith("| `")]
    return {name for cell in rows for name in VARIABLE.findall(cell)}


def procfile() -> dict[str, str]:
    lines = (BASE_DIR / "Procfile").read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line and not line.startswith("#"))


def unit(path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str
    parser.read_string(path.read_text())
    return parser


def queues_of(command: str) -> list[str]:
    arguments = shlex.split(command)
    return arguments[arguments.index("--queue-name") + 1].split(",")


def test_env_example_lists_every_variable_of_the_configuration_table():
    example = (BASE_DIR / ".env.example").read_text()
    listed = re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", example, re.MULTILINE)
    assert len(listed) == len(set(listed)), "a variable listed twice"
    assert set(listed) == configuration_table()


def test_every_variable_the_settings_read_is_in_the_configuration_table():
    sources = (BASE_DIR / "blog_project" / "settings.py").read_text()
    sources += (BASE_DIR / "blog_project" / "gunicorn_conf.py").read_text()
    read = set(re.findall(r"""(?:env\.\w+|os\.environ\.get)\(\s*["']([A-Z][A-Z0-9_]+)["']""", sources))
    assert read and read <= configuration_table(), read - configuration_table()


def test_every_task_queue_has_one_worker_in_the_procfile_and_in_systemd():
    entries = procfile()
    assert set(entries) == {"release", "web", "worker_publishing", "worker_llm"}
    assert entries["release"] == "python manage.py release"
    assert entries["web"] == "gunicorn -c blog_project/gunicorn_conf.py blog_project.wsgi"
    procfile_queues = [queue for name in ("worker_publishing", "worker_llm") for queue in queues_of(entries[name])]
    starts = {path.name: unit(path)["Service"]["ExecStart"] for path in UNITS}
    unit_queues = [queue for command in starts.values() if "run_worker" in command for queue in queues_of(command)]
    assert sorted(procfile_queues) == sorted(unit_queues) == sorted(settings.TASKS["default"]["QUEUES"])
    # each unit runs its Procfile line, with the virtualenv's programs
    for name, command in starts.items():
        process = {"blog-web.service": "web"}.get(name, name.removeprefix("blog-").removesuffix(".service"))
        program, *expected = shlex.split(entries[process.replace("-", "_")])
        executable, *arguments = shlex.split(command)
        assert executable == f"/srv/blog/.venv/bin/{program}"
        assert arguments == expected, name


def test_units_restart_always_and_read_the_project_environment():
    assert [path.name for path in UNITS] == [
        "blog-web.service",
        "blog-worker-llm.service",
        "blog-worker-publishing.service",
    ]
    for path in UNITS:
        service = unit(path)["Service"]
        assert service["Restart"] == "always", path.name
        assert service["WorkingDirectory"] == "/srv/blog"
        assert service["EnvironmentFile"] == "/srv/blog/.env"
        assert service["User"] == "blog"
        assert unit(path)["Install"]["WantedBy"] == "multi-user.target"
    assert "deploy/systemd/" in README and "/srv/blog" in README[README.index("### Processes") :]


def test_units_pass_systemd_analyze_verify(tmp_path):
    """Placeholders filled in with this checkout and user, as an install would."""
    analyze = shutil.which("systemd-analyze")
    if not analyze:
        if os.environ.get("CI"):
            pytest.fail("systemd-analyze is not installed: .ci/run installs Debian's systemd package.")
        pytest.skip("systemd-analyze is not installed (the systemd package)")
    user = subprocess.run(["id", "-un"], capture_output=True, text=True, check=True).stdout.strip()
    group = subprocess.run(["id", "-gn"], capture_output=True, text=True, check=True).stdout.strip()
    project = tmp_path / "blog"
    (project / ".venv").mkdir(parents=True)
    (project / ".venv" / "bin").symlink_to(BASE_DIR / ".venv" / "bin")
    (project / ".env").write_text((BASE_DIR / ".env.example").read_text())
    for path in UNITS:
        text = path.read_text().replace("/srv/blog", str(project))
        text = re.sub(r"^User=blog$", f"User={user}", text, flags=re.MULTILINE)
        text = re.sub(r"^Group=blog$", f"Group={group}", text, flags=re.MULTILINE)
        (tmp_path / path.name).write_text(text)
    completed = subprocess.run(
        [analyze, "verify", *(str(tmp_path / path.name) for path in UNITS)], capture_output=True, text=True
    )
    assert completed.returncode == 0 and not completed.stderr.strip(), completed.stderr


def test_the_procfile_web_command_loads_the_site_with_settings_from_the_environment():
    environment = manage_environment(
        PATH=f"{BASE_DIR / '.venv' / 'bin'}{os.pathsep}{os.environ['PATH']}",
        HOST="0.0.0.0",
        PORT="9001",
        WEB_CONCURRENCY="5",
        GUNICORN_TIMEOUT="45",
    )
    completed = subprocess.run(
        f"{procfile()['web']} --print-config",  # loads the application too, then exits
        shell=True,
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    printed = dict(re.findall(r"^(\w+) += (.*)$", completed.stdout, re.MULTILINE))
    assert printed["bind"] == "['0.0.0.0:9001']"
    assert (printed["workers"], printed["timeout"]) == ("5", "45")
    assert printed["logger_class"] == "blog_project.gunicorn_logging.Logger"


@pytest.mark.parametrize(
    ("arguments", "site_url"),
    [
        (["HOST=0.0.0.0", "PORT=9000"], "SITE_URL=http://0.0.0.0:9000"),
        ([], "SITE_URL=http://127.0.0.1:8000"),
        (["PORT=9000", "SITE_URL=https://blog.example.org"], None),
    ],
)
def test_make_run_gives_site_url_its_own_address_unless_set(tmp_path, arguments, site_url):
    for path in [BASE_DIR / "Makefile", *BASE_DIR.glob("requirements*")]:  # away from a developer's .env
        shutil.copy(path, tmp_path / path.name)
    environment = {key: value for key, value in os.environ.items() if key not in {"SITE_URL", "HOST", "PORT"}}
    completed = subprocess.run(
        ["make", "-n", "-C", str(tmp_path), "run", *arguments], capture_output=True, text=True, env=environment
    )
    recipe = completed.stdout[completed.stdout.index("migrate") :]
    if site_url:
        assert recipe.count(site_url) == 4, recipe  # load_demo, both workers, runserver
    else:
        assert "SITE_URL=" not in recipe
    if site_url is None or "9000" in site_url:
        assert ":9000" in recipe

    (tmp_path / ".env").write_text("SITE_URL=https://from-dot-env.example.org\n")
    again = subprocess.run(["make", "-n", "-C", str(tmp_path), "run"], capture_output=True, text=True, env=environment)
    assert "SITE_URL=" not in again.stdout
