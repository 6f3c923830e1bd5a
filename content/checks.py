"""System checks of the content settings.

A bad value would otherwise surface as a broken page for readers (a paginator of 0 posts,
feed links without a host) or a failing cron job; ``manage.py check`` reports it first.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, register

TAG = "content"
REDIS_SCHEMES = ("redis", "rediss", "unix")


def _whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _hint(name: str, example: str) -> str:
    return f"Set the environment variable {name}, for example {name}={example}, and restart."


@register(TAG)
def check_content_settings(app_configs, **kwargs):
    problems = []
    numbers = (  # setting, smallest allowed, what it must be, example, check id
        ("POSTS_PER_PAGE", 1, "a whole number above 0, or list pages fail", "10", "content.E001"),
        (
            "PUBLIC_CACHE_SECONDS",
            0,
            "a whole number of seconds, 0 or more (0: pages are not cached)",
            "86400",
            "content.E002",
        ),
        (
            "PUBLIC_CACHE_MEMORY_MB",
            0,
            "a whole number of megabytes, 0 or more (0: no cached page is kept in each process's memory)",
            "16",
            "content.E009",
        ),
        (
            "TRASH_RETENTION_DAYS",
            1,
            "a whole number above 0, or manage.py purge_trash fails without --older-than",
            "30",
            "content.E003",
        ),
    )
    for name, minimum, expected, example, code in numbers:
        value = getattr(settings, name)
        if not _whole(value) or value < minimum:
            problems.append(Error(f"{name} is {value!r}; it must be {expected}.", hint=_hint(name, example), id=code))
    if not _site_root(settings.SITE_URL):
        problems.append(
            Error(
                f"SITE_URL is {settings.SITE_URL!r}; it must be the site's absolute http(s) address, without a "
                "path, or links in feeds, sitemaps and shared pages are broken.",
                hint=_hint("SITE_URL", "https://blog.example.com"),
                id="content.E004",
            )
        )
    return problems


def _url_parts(url):
    """``urlsplit(url)``, or None when it is not a URL (or its port is not a number)."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  the property raises ValueError
    except (TypeError, ValueError, AttributeError):
        return None
    return parts


def _site_root(url) -> bool:
    parts = _url_parts(url)
    return bool(
        parts
        and parts.scheme in ("http", "https")
        and parts.hostname
        and parts.path in ("", "/")
        and not (parts.query or parts.fragment)
    )


@register(Tags.caches, TAG)
def check_redis_url(app_configs, **kwargs):
    """REDIS_URL is passed to Django's RedisCache untouched; a malformed one fails on the first page."""
    cache = settings.CACHES.get("default", {})
    if not str(cache.get("BACKEND", "")).endswith(".RedisCache"):
        return []
    location = cache.get("LOCATION", "")
    urls = location.split(",") if isinstance(location, str) else list(location)
    if urls and all(_redis_url(str(url).strip()) for url in urls):
        return []
    return [
        Error(
            f"The Redis cache address (REDIS_URL) is {location!r}, not a redis://, rediss:// or unix:// URL.",
            hint=_hint("REDIS_URL", "redis://127.0.0.1:6379/0") + " Leave it empty for the in-process cache.",
            id="content.E005",
        )
    ]


def _redis_url(url: str) -> bool:
    parts = _url_parts(url)
    if not parts or parts.scheme not in REDIS_SCHEMES:
        return False
    return bool(parts.path if parts.scheme == "unix" else parts.hostname)


CONTENT_CHECKS_IDS = {"value": "content.E006", "name": "content.E007", "level": "content.E008"}


@register(TAG)
def check_content_checks(app_configs, **kwargs):
    """CONTENT_CHECKS: which content checks are required, recommended or off (content/editorial/checklist.py).
    A value it cannot use leaves those checks at their defaults; this says so before an editor wonders why."""
    from content.editorial.checklist import setting_problems

    example = _hint("CONTENT_CHECKS", "title_length=required,readability=off")
    return [
        Error(problem, hint=f"{fix} {example}", id=CONTENT_CHECKS_IDS[what])
        for what, problem, fix in setting_problems(getattr(settings, "CONTENT_CHECKS", None))
    ]
