"""System checks of the LLM settings.

A bad value used to show only when an editor asked for assistance (a failed, recorded
call); ``manage.py check`` reports it first. Which provider serves the model and whether
its key is set are asked of litellm, as the client does on each call; importing litellm
takes seconds and ``runserver`` runs the checks on every reload, so that part runs only
with DEBUG off.
"""

import math
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, register

from llm.config import client_config, setup_problem

TAG = "llm"


def _whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _real(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


# setting, check id, what it must be, what goes wrong otherwise, example value
NUMBERS = (
    ("LLM_TIMEOUT", "E004", lambda v: _real(v) and v > 0, "a number of seconds above 0", "60"),
    (
        "LLM_MAX_RETRIES",
        "E005",
        lambda v: _whole(v) and v >= 0,
        "a whole number, 0 or more (each call makes at most LLM_MAX_RETRIES + 1 attempts per model)",
        "2",
    ),
    ("LLM_RETRY_BACKOFF", "E006", lambda v: _real(v) and v >= 0, "a number of seconds, 0 or more", "1.0"),
    (
        "LLM_LOG_RETENTION_DAYS",
        "E007",
        lambda v: _whole(v) and v >= 1,
        "a whole number of days above 0, or manage.py prune_llm_logs fails without --older-than",
        "90",
    ),
    (
        "LLM_LOG_PRUNE_BATCH_SIZE",
        "E008",
        lambda v: _whole(v) and v >= 1,
        "a whole number of rows above 0, or manage.py prune_llm_logs fails without --batch-size",
        "5000",
    ),
)


def _model_name_ok(name: str) -> bool:
    """litellm names are ``provider/model`` (more slashes allowed), never with spaces or empty parts."""
    return not any(char.isspace() for char in name) and all(name.split("/"))


@register(TAG)
def check_model_names(app_configs, **kwargs):
    problems = []
    model = settings.LLM_MODEL
    if not isinstance(model, str) or (model.strip() and not _model_name_ok(model.strip())):
        problems.append(
            Error(
                f"LLM_MODEL is {model!r}, which is not a model name.",
                hint="Set the environment variable LLM_MODEL to a litellm model name, provider first, for example "
                "LLM_MODEL=openai/gpt-4o-mini, and restart. An empty value turns assistance off.",
                id=f"{TAG}.E001",
            )
        )
    fallbacks = settings.LLM_FALLBACK_MODELS
    if not isinstance(fallbacks, list | tuple) or not all(
        isinstance(name, str) and (not name.strip() or _model_name_ok(name.strip())) for name in fallbacks
    ):
        problems.append(
            Error(
                f"LLM_FALLBACK_MODELS is {fallbacks!r}: each entry must be a model name.",
                hint="Set the environment variable LLM_FALLBACK_MODELS to comma-separated litellm model names, "
                "for example LLM_FALLBACK_MODELS=openai/gpt-4o-mini,anthropic/claude-3-5-haiku-latest, and restart.",
                id=f"{TAG}.E002",
            )
        )
    return problems


@register(TAG)
def check_connection_settings(app_configs, **kwargs):
    problems = []
    base = settings.LLM_API_BASE
    if base and not _http_url(base):
        problems.append(
            Error(
                f"LLM_API_BASE is {base!r}, not an http(s) address; every call to the model would fail.",
                hint="Set the environment variable LLM_API_BASE to the server's address, for example "
                "LLM_API_BASE=http://127.0.0.1:11434 (Ollama), and restart; leave it empty for a hosted provider.",
                id=f"{TAG}.E003",
            )
        )
    for name, code, valid, expected, example in NUMBERS:
        value = getattr(settings, name)
        if not valid(value):
            problems.append(
                Error(
                    f"{name} is {value!r}; it must be {expected}.",
                    hint=f"Set the environment variable {name}, for example {name}={example}, and restart.",
                    id=f"{TAG}.{code}",
                )
            )
    return problems


def _http_url(text) -> bool:
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018  raises ValueError for a port that is not a number
    except (TypeError, ValueError, AttributeError):
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


@register(TAG)
def check_provider_and_key(app_configs, **kwargs):
    """With DEBUG off, each configured model must have a known provider and, unless local, a key."""
    if settings.DEBUG or setup_problem() is not None:
        return []  # development, or no model: assistance is off and needs no key
    config = client_config()
    models = [name for name in dict.fromkeys([config.model, *config.fallbacks]) if _model_name_ok(name)]
    if not models:
        return []
    from llm.client import _litellm  # the client's own litellm setup (no telemetry, no downloads)

    litellm = _litellm()
    problems = []
    for model in models:
        try:
            litellm.get_llm_provider(model=model, api_base=config.api_base or None)
        except Exception:  # litellm raises its BadRequestError for a model it cannot place
            problems.append(
                Error(
                    f"litellm cannot tell which provider serves the model {model!r}; every call to it would fail.",
                    hint="Put the provider first in LLM_MODEL or LLM_FALLBACK_MODELS, for example "
                    "LLM_MODEL=openai/gpt-4o-mini or LLM_MODEL=ollama/llama3.2, and restart.",
                    id=f"{TAG}.E009",
                )
            )
            continue
        if config.api_key:
            continue
        environment = litellm.validate_environment(model=model, api_base=config.api_base or None)
        missing = [key for key in environment["missing_keys"] if key.endswith("_KEY")]
        if missing:
            problems.append(
                Error(
                    f"No API key is set for the model {model!r}; every call to it would fail.",
                    hint=f"Set the environment variable LLM_API_KEY (or {' or '.join(missing)}) to the provider's "
                    "key, for example LLM_API_KEY=sk-…, and restart.",
                    id=f"{TAG}.E010",
                )
            )
    return problems
