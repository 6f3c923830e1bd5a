"""One fingerprint of everything public HTML is made from, shared by stored HTML and the page cache.

Templates, the Python that shapes readers' pages, the settings shown on them and the versions of
the libraries that render Markdown and clean HTML. A deploy that changes any of them changes the
fingerprint, so neither a stored section nor a cached page made by the old code is used again.
"""

import hashlib
from functools import cache
from importlib.metadata import version
from pathlib import Path

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

BASE = Path(settings.BASE_DIR)
# Public templates (the admin's are left out: they shape no reader's page).
TEMPLATE_ROOT = BASE / "templates"
# Python that shapes readers' pages besides the templates.
CODE_ROOTS = [
    BASE / "content" / "site",
    BASE / "content" / "templatetags",
    BASE / "content" / "rendering.py",
    BASE / "content" / "stored_html.py",
    BASE / "content" / "page_fields.py",
    BASE / "content" / "paths.py",
    BASE / "content" / "search.py",
    BASE / "media_library" / "renditions.py",
    BASE / "common" / "durations.py",
]
LIBRARIES = ("django", "cmarkgfm", "nh3")
LIBRARY_VERSIONS = tuple(version(name) for name in LIBRARIES)


def _sources() -> tuple[tuple[Path, int], ...]:
    templates = (path for path in TEMPLATE_ROOT.rglob("*.html") if "admin" not in path.relative_to(TEMPLATE_ROOT).parts)
    code = (path for root in CODE_ROOTS for path in ([root] if root.is_file() else root.rglob("*.py")))
    return tuple((path, path.stat().st_mtime_ns) for path in sorted({*templates, *code}))


_sources_once = cache(_sources)


@cache
def _digest(sources: tuple[tuple[Path, int], ...], settings_shown: str) -> str:
    digest = hashlib.blake2b(settings_shown.encode(), digest_size=16)
    for path, _ in sources:
        digest.update(path.as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


@cache
def _fingerprint_once(settings_shown: str) -> str:
    """Without DEBUG: by the settings alone (a post page asks twice per request; hashing the key of ``_digest``,
    the list of files, cost 40 µs each time)."""
    return _digest(_sources_once(), settings_shown)


_known: str | None = None  # without DEBUG, until a setting changes (tests): every page asks, once or twice


def render_fingerprint() -> str:
    """Read once per process; with DEBUG on, again whenever a file's modification time changes."""
    global _known
    if _known is not None:
        return _known
    shown = repr(
        (settings.SITE_NAME, settings.SITE_URL, settings.MEDIA_URL, settings.STORAGES.get("default"), LIBRARY_VERSIONS)
    )
    if settings.DEBUG:
        return _digest(_sources(), shown)
    _known = _fingerprint_once(shown)
    return _known


@receiver(setting_changed)
def _forget_fingerprint(**kwargs) -> None:
    global _known
    _known = None
