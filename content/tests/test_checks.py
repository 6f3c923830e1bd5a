"""The content settings' system checks, on real settings."""

import pytest
from django.core.checks import run_checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from content import checks

REDIS = "django.core.cache.backends.redis.RedisCache"


def ids(problems) -> list[str]:
    return [problem.id for problem in problems]


def redis_cache(settings, location):
    settings.CACHES = {**settings.CACHES, "default": {"BACKEND": REDIS, "LOCATION": location}}


def test_default_settings_raise_nothing():
    assert checks.check_content_settings(None) == []
    assert checks.check_redis_url(None) == []
    assert run_checks(tags=[checks.TAG]) == []


@pytest.mark.parametrize(
    ("name", "value", "check_id"),
    [
        ("POSTS_PER_PAGE", 0, "content.E001"),
        ("POSTS_PER_PAGE", -10, "content.E001"),
        ("POSTS_PER_PAGE", "10", "content.E001"),
        ("PUBLIC_CACHE_SECONDS", -1, "content.E002"),
        ("TRASH_RETENTION_DAYS", 0, "content.E003"),
        ("PUBLIC_CACHE_MEMORY_MB", -1, "content.E009"),
    ],
)
def test_out_of_range_numbers(settings, name, value, check_id):
    setattr(settings, name, value)

    problems = checks.check_content_settings(None)

    assert ids(problems) == [check_id]
    assert f"{name}=" in problems[0].hint


def test_no_page_cache_is_allowed(settings):
    settings.PUBLIC_CACHE_SECONDS = 0

    assert checks.check_content_settings(None) == []


@pytest.mark.parametrize(
    "url",
    ["blog.example.com", "ftp://blog.example.com", "https://", "https://blog.example.com/blog", "https://b.example:x"],
)
def test_site_url_must_be_an_absolute_http_root(settings, url):
    settings.SITE_URL = url

    problems = checks.check_content_settings(None)

    assert ids(problems) == ["content.E004"]
    assert "SITE_URL=https://blog.example.com" in problems[0].hint


@pytest.mark.parametrize("url", ["https://blog.example.com", "https://blog.example.com/", "http://127.0.0.1:8000"])
def test_good_site_urls(settings, url):
    settings.SITE_URL = url

    assert checks.check_content_settings(None) == []


@pytest.mark.parametrize(
    "location", ["redis://127.0.0.1:6379/0", "rediss://:secret@cache.internal:6380/1", "unix:///run/redis.sock"]
)
def test_good_redis_urls(settings, location):
    redis_cache(settings, location)

    assert checks.check_redis_url(None) == []


@pytest.mark.parametrize("location", ["127.0.0.1:6379", "http://cache:6379", "redis://cache:port", ""])
def test_malformed_redis_url(settings, location):
    redis_cache(settings, location)

    problems = checks.check_redis_url(None)

    assert ids(problems) == ["content.E005"]
    assert "REDIS_URL=redis://127.0.0.1:6379/0" in problems[0].hint


@pytest.mark.django_db  # Django's own model checks ask the server's version
def test_manage_py_check_fails_with_the_hint(settings):
    settings.POSTS_PER_PAGE = 0

    with pytest.raises(SystemCheckError) as failure:
        call_command("check")

    assert "(content.E001) POSTS_PER_PAGE is 0" in str(failure.value)
    assert "HINT: Set the environment variable POSTS_PER_PAGE, for example POSTS_PER_PAGE=10" in str(failure.value)


# --- CONTENT_CHECKS ---


def test_content_checks_defaults_and_good_values_raise_nothing(settings):
    settings.CONTENT_CHECKS = {}
    assert checks.check_content_checks(None) == []
    settings.CONTENT_CHECKS = {"title_length": "Required", "readability": "off", "alt_text": "recommended"}
    assert checks.check_content_checks(None) == []


def test_content_checks_name_the_fix(settings):
    settings.CONTENT_CHECKS = {"titel_length": "required", "readability": "must", "has_sections": "off"}
    problems = checks.check_content_checks(None)
    assert ids(problems) == ["content.E007", "content.E008", "content.E007"]
    assert problems[0].msg == "CONTENT_CHECKS names 'titel_length', which is no check."
    assert problems[0].hint.startswith("Write title_length instead. Set the environment variable CONTENT_CHECKS")
    assert "readability=recommended" in problems[1].hint
    assert "always required" in problems[2].msg
    settings.CONTENT_CHECKS = "title_length"
    assert ids(checks.check_content_checks(None)) == ["content.E006"]


def test_content_checks_are_read_from_the_environment():
    """As typed, whatever it holds: ``manage.py check`` then names what cannot be used."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    code = (
        "import django; django.setup(); from django.conf import settings; from django.core.checks import run_checks; "
        "print(sorted(settings.CONTENT_CHECKS.items())); print([e.id for e in run_checks(tags=['content'])])"
    )
    env = {**os.environ, "CONTENT_CHECKS": " title_length = Required ,readability=off,,alt_text"}
    env["DJANGO_SETTINGS_MODULE"] = "blog_project.settings"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.splitlines() == [
        "[('alt_text', ''), ('readability', 'off'), ('title_length', 'Required')]",
        "['content.E008']",
    ], result.stderr
