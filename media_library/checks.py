"""System checks of the media settings.

Uploads read these settings only when an editor sends a file, so a bad value used to
surface as a failed upload; ``manage.py check`` (run by ``migrate`` and ``runserver``
too) reports it first. Checks read settings only: no network, no database.
"""

import math
import os
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import FileSystemStorage
from django.utils.module_loading import import_string
from PIL import Image as PILImage

from media_library.validation import ACCEPTED_FORMATS
from media_library.watermark import POSITIONS

TAG = "media_library"
WEBP_MAX_WIDTH = 16383  # the WebP format's own limit: a wider rendition cannot be written
# setting, check id, example value, what a bad value does
UPLOAD_LIMITS = (
    ("IMAGE_MAX_BYTES", "E001", "20971520", "every upload would be refused"),
    ("IMAGE_MAX_PIXELS", "E002", "40000000", "every upload would be refused"),
    ("IMAGE_MAX_FRAMES", "E003", "100", "every upload would be refused"),
    ("IMAGE_MAX_METADATA_BYTES", "E004", "1048576", "nearly every photo would be refused"),
)


def _id(code: str) -> str:
    return f"{TAG}.{code}"


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _hint(name: str, example: str, extra: str = "") -> str:
    return f"Set the environment variable {name}{extra}, for example {name}={example}, and restart."


@register(TAG)
def check_upload_limits(app_configs, **kwargs):
    problems = []
    for name, code, example, effect in UPLOAD_LIMITS:
        value = getattr(settings, name)
        if not _is_int(value) or value < 1:
            problems.append(
                Error(
                    f"{name} is {value!r}: it must be a whole number above 0, or {effect}.",
                    hint=_hint(name, example),
                    id=_id(code),
                )
            )
    pixels = settings.IMAGE_MAX_PIXELS
    bomb_limit = PILImage.MAX_IMAGE_PIXELS
    if _is_int(pixels) and bomb_limit and pixels > bomb_limit:
        problems.append(
            Warning(
                f"IMAGE_MAX_PIXELS is {pixels}, but Pillow refuses images above {bomb_limit} pixels as "
                "possible decompression bombs, so uploads between the two are refused anyway.",
                hint=_hint("IMAGE_MAX_PIXELS", "40000000", f" to at most {bomb_limit}"),
                id=_id("W001"),
            )
        )
    return problems


@register(TAG)
def check_renditions(app_configs, **kwargs):
    problems = []
    widths = settings.IMAGE_RENDITION_WIDTHS
    if not isinstance(widths, list | tuple) or not all(_is_int(w) and 0 < w <= WEBP_MAX_WIDTH for w in widths):
        problems.append(
            Error(
                f"IMAGE_RENDITION_WIDTHS is {widths!r}: each width must be a whole number of pixels "
                f"from 1 to {WEBP_MAX_WIDTH}, or making renditions fails for every upload.",
                hint=_hint("IMAGE_RENDITION_WIDTHS", "480,960,1600", " to comma-separated widths"),
                id=_id("E005"),
            )
        )
    quality = settings.IMAGE_RENDITION_QUALITY
    if not _is_int(quality) or not 0 <= quality <= 100:
        problems.append(
            Error(
                f"IMAGE_RENDITION_QUALITY is {quality!r}: WebP quality is a whole number from 0 to 100.",
                hint=_hint("IMAGE_RENDITION_QUALITY", "80"),
                id=_id("E006"),
            )
        )
    return problems


@register(TAG)
def check_watermark(app_configs, **kwargs):
    """Position, opacity and size are read on every upload, even with no watermark configured."""
    problems = []
    position = settings.WATERMARK_POSITION
    if position not in POSITIONS:
        problems.append(
            Error(
                f"WATERMARK_POSITION is {position!r}, not one of {', '.join(POSITIONS)}; every upload would fail.",
                hint=_hint("WATERMARK_POSITION", "bottom-right", " to one of those"),
                id=_id("E007"),
            )
        )
    for name, code, example in (("WATERMARK_OPACITY", "E008", "0.5"), ("WATERMARK_SIZE", "E009", "0.25")):
        value = getattr(settings, name)
        if not _is_number(value) or not 0 < value <= 1:
            problems.append(
                Error(
                    f"{name} is {value!r}: it must be a number above 0 and at most 1; every upload would fail.",
                    hint=_hint(name, example),
                    id=_id(code),
                )
            )
    problems += _logo_problems(str(settings.WATERMARK_LOGO or ""))
    return problems


def _logo_problems(logo: str) -> list:
    if not logo:
        return []
    hint = _hint("WATERMARK_LOGO", "/srv/blog/logo.png", " to the path of a PNG, JPEG or WebP file")
    hint += " An empty value means no logo."
    if not os.path.isfile(logo):
        return [Error(f"WATERMARK_LOGO names no file: {logo}", hint=hint, id=_id("E010"))]
    try:
        with PILImage.open(logo) as image:
            image.verify()
    except Exception as error:  # Pillow raises many types for files it cannot read
        return [
            Error(
                f"WATERMARK_LOGO is not an image Pillow can read ({type(error).__name__}): {logo}",
                hint=hint,
                id=_id("E011"),
            )
        ]
    return []


@register(Tags.compatibility, TAG)
def check_image_formats(app_configs, **kwargs):
    """Pillow builds differ: a format it lacks is refused on upload, and renditions are WebP."""
    PILImage.init()
    missing = [name for name in ACCEPTED_FORMATS if name not in PILImage.OPEN]
    if "WEBP" not in PILImage.SAVE:
        missing.append("WEBP (writing)")
    if not missing:
        return []
    return [
        Warning(
            f"This Pillow cannot handle {', '.join(missing)}; uploads in those formats are refused "
            "and renditions need WebP.",
            hint="Reinstall Pillow from its wheel (pip install --force-reinstall pillow), which includes them.",
            id=_id("W002"),
        )
    ]


@register(Tags.files, TAG)
def check_media_storage(app_configs, **kwargs):
    storage = settings.STORAGES.get("default", {})
    path = storage.get("BACKEND", "")
    try:
        backend = import_string(path)
    except (ImportError, ImproperlyConfigured) as error:  # django-storages raises the latter without boto3
        return [
            Error(
                f"The media storage backend {path!r} (STORAGES['default']) cannot be imported: {error}",
                hint="Leave AWS_STORAGE_BUCKET_NAME empty for local files, or install django-storages[s3] "
                "(requirements.txt) for a bucket.",
                id=_id("E012"),
            )
        ]
    options = storage.get("OPTIONS", {})
    if not isinstance(backend, type):
        return []
    if any(cls.__module__.startswith("storages.backends.s3") for cls in backend.__mro__):
        return _s3_problems(options)
    if issubclass(backend, FileSystemStorage):
        return _local_problems(Path(os.path.abspath(options.get("location") or settings.MEDIA_ROOT)))
    return []


def _s3_problems(options: dict) -> list:
    problems = []
    if not (options.get("bucket_name") or getattr(settings, "AWS_STORAGE_BUCKET_NAME", "")):
        problems.append(
            Error(
                "Media are stored in S3, but no bucket is named.",
                hint=_hint("AWS_STORAGE_BUCKET_NAME", "blog-media"),
                id=_id("E013"),
            )
        )
    if bool(options.get("access_key")) != bool(options.get("secret_key")):
        problems.append(
            Error(
                "Only one of the S3 access key and secret key is set; boto3 refuses partial credentials.",
                hint="Set both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (for example AWS_ACCESS_KEY_ID=AKIA… "
                "AWS_SECRET_ACCESS_KEY=…), or neither to use boto3's own lookup (instance role, ~/.aws).",
                id=_id("E014"),
            )
        )
    endpoint = options.get("endpoint_url") or ""
    parts = urlsplit(endpoint)
    if endpoint and (parts.scheme not in ("http", "https") or not parts.hostname):
        problems.append(
            Error(
                f"AWS_S3_ENDPOINT_URL is {endpoint!r}, not an http(s) address.",
                hint=_hint("AWS_S3_ENDPOINT_URL", "https://s3.eu-central-003.example.com")
                + " Leave it empty for Amazon S3.",
                id=_id("E015"),
            )
        )
    domain = options.get("custom_domain") or ""
    if "://" in domain or domain.startswith("/"):
        problems.append(
            Error(
                f"AWS_S3_CUSTOM_DOMAIN is {domain!r}, but it must be a host name without a scheme "
                "or media URLs would be broken.",
                hint=_hint("AWS_S3_CUSTOM_DOMAIN", "media.example.com"),
                id=_id("E016"),
            )
        )
    return problems


def _local_problems(folder: Path) -> list:
    reason = _unwritable(folder)
    if reason is None:
        return []
    return [
        Error(
            f"Media are stored in {folder}, which {reason}; uploads would fail.",
            hint=_hint("MEDIA_ROOT", "/srv/blog/media", " to a folder this user can write (or create)"),
            id=_id("E017"),
        )
    ]


def _unwritable(folder: Path) -> str | None:
    """Why files cannot be written into ``folder``; None when they can, or when it can be created."""
    if folder.exists():
        if not folder.is_dir():
            return "is not a folder"
        return None if os.access(folder, os.W_OK | os.X_OK) else "is not writable"
    parent = next(parent for parent in folder.parents if parent.exists())
    if not parent.is_dir():
        return f"cannot be created ({parent} is a file)"
    return None if os.access(parent, os.W_OK | os.X_OK) else f"cannot be created ({parent} is not writable)"


@register(Tags.urls, TAG)
def check_media_serving(app_configs, **kwargs):
    """SERVE_MEDIA serves MEDIA_ROOT under MEDIA_URL: both must be local."""
    if not settings.SERVE_MEDIA:
        return []
    problems = []
    backend = settings.STORAGES.get("default", {}).get("BACKEND", "")
    try:
        local = issubclass(import_string(backend), FileSystemStorage)
    except (ImportError, ImproperlyConfigured, TypeError):
        local = False  # E012 says why
    if not local:
        problems.append(
            Error(
                "SERVE_MEDIA is on, but media are not stored in MEDIA_ROOT (STORAGES['default'] is "
                f"{backend!r}); readers get them from the storage's own addresses.",
                hint="Set SERVE_MEDIA=false, or leave AWS_STORAGE_BUCKET_NAME empty to keep media in MEDIA_ROOT.",
                id=_id("E018"),
            )
        )
    url = settings.MEDIA_URL
    if not (url.startswith("/") and url.endswith("/") and len(url) > 1 and "//" not in url):
        problems.append(
            Error(
                f"SERVE_MEDIA is on, but MEDIA_URL is {url!r}, not a path of this site such as /media/.",
                hint=_hint("MEDIA_URL", "/media/"),
                id=_id("E019"),
            )
        )
    return problems
