"""The LLM settings' system checks, on real settings (pytest-django runs tests with DEBUG off)."""

import pytest
from django.core.checks import run_checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from llm import checks


def ids(problems) -> list[str]:
    return [problem.id for problem in problems]


@pytest.fixture
def production(settings, monkeypatch):
    """DEBUG off, no key in LLM_API_KEY nor in the provider's own variable."""
    settings.DEBUG = False
    settings.LLM_API_KEY = ""
    settings.LLM_FALLBACK_MODELS = []
    for name in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    return settings


@pytest.mark.parametrize("debug", [True, False])
def test_default_settings_raise_nothing(settings, debug):
    settings.DEBUG = debug

    assert checks.check_model_names(None) == []
    assert checks.check_connection_settings(None) == []
    assert checks.check_provider_and_key(None) == []
    assert run_checks(tags=[checks.TAG]) == []


@pytest.mark.parametrize("model", ["llama 3", "ollama/", "/gpt-4o-mini", "openai//gpt-4o-mini", None])
def test_malformed_model_name(settings, model):
    settings.LLM_MODEL = model

    problems = checks.check_model_names(None)

    assert ids(problems) == ["llm.E001"]
    assert "LLM_MODEL=openai/gpt-4o-mini" in problems[0].hint


@pytest.mark.parametrize("model", ["", "  openai/gpt-4o-mini ", "openrouter/meta-llama/llama-3.1-8b-instruct"])
def test_well_formed_model_names(settings, model):
    settings.LLM_MODEL = model
    settings.LLM_FALLBACK_MODELS = ["anthropic/claude-3-5-haiku-latest", ""]

    assert checks.check_model_names(None) == []


def test_malformed_fallback_model(settings):
    settings.LLM_FALLBACK_MODELS = ["openai/gpt-4o-mini", "claude 3"]

    assert ids(checks.check_model_names(None)) == ["llm.E002"]


@pytest.mark.parametrize("base", ["127.0.0.1:11434", "ftp://models.internal", "http://host:port", "http://"])
def test_api_base_must_be_an_http_address(settings, base):
    settings.LLM_API_BASE = base

    problems = checks.check_connection_settings(None)

    assert ids(problems) == ["llm.E003"]
    assert "LLM_API_BASE=http://127.0.0.1:11434" in problems[0].hint


@pytest.mark.parametrize(
    ("name", "value", "check_id"),
    [
        ("LLM_TIMEOUT", 0.0, "llm.E004"),
        ("LLM_TIMEOUT", -5, "llm.E004"),
        ("LLM_TIMEOUT", float("inf"), "llm.E004"),
        ("LLM_MAX_RETRIES", -1, "llm.E005"),
        ("LLM_MAX_RETRIES", 1.5, "llm.E005"),
        ("LLM_RETRY_BACKOFF", -0.5, "llm.E006"),
        ("LLM_LOG_RETENTION_DAYS", 0, "llm.E007"),
        ("LLM_LOG_PRUNE_BATCH_SIZE", 0, "llm.E008"),
    ],
)
def test_out_of_range_numbers(settings, name, value, check_id):
    setattr(settings, name, value)

    problems = checks.check_connection_settings(None)

    assert ids(problems) == [check_id]
    assert f"{name}=" in problems[0].hint


def test_zero_retries_and_no_backoff_are_allowed(settings):
    settings.LLM_MAX_RETRIES = 0
    settings.LLM_RETRY_BACKOFF = 0.0

    assert checks.check_connection_settings(None) == []


def test_hosted_model_without_a_key_in_production(production):
    production.LLM_MODEL = "openai/gpt-4o-mini"

    problems = checks.check_provider_and_key(None)

    assert ids(problems) == ["llm.E010"]
    assert "LLM_API_KEY (or OPENAI_API_KEY)" in problems[0].hint


def test_each_fallback_model_needs_its_key(production, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-the-environment")
    production.LLM_MODEL = "openai/gpt-4o-mini"
    production.LLM_FALLBACK_MODELS = ["anthropic/claude-3-5-haiku-latest"]

    problems = checks.check_provider_and_key(None)

    assert ids(problems) == ["llm.E010"]
    assert "claude-3-5-haiku-latest" in problems[0].msg


def test_llm_api_key_or_a_local_provider_needs_no_more(production):
    production.LLM_MODEL = "ollama/llama3.2"
    assert checks.check_provider_and_key(None) == []

    production.LLM_MODEL = "openai/gpt-4o-mini"
    production.LLM_API_KEY = "sk-test"
    assert checks.check_provider_and_key(None) == []


def test_model_without_a_known_provider_in_production(production):
    production.LLM_MODEL = "llama3.2"

    problems = checks.check_provider_and_key(None)

    assert ids(problems) == ["llm.E009"]
    assert "LLM_MODEL=ollama/llama3.2" in problems[0].hint


def test_no_model_or_debug_on_skips_the_provider_check(production):
    production.LLM_MODEL = ""
    production.LLM_FALLBACK_MODELS = ["llama3.2"]
    assert checks.check_provider_and_key(None) == []

    production.LLM_MODEL = "openai/gpt-4o-mini"
    production.DEBUG = True
    assert checks.check_provider_and_key(None) == []


@pytest.mark.django_db  # Django's own model checks ask the server's version
def test_manage_py_check_fails_with_the_hint(settings):
    settings.LLM_TIMEOUT = 0

    with pytest.raises(SystemCheckError) as failure:
        call_command("check")

    assert "(llm.E004) LLM_TIMEOUT is 0" in str(failure.value)
    assert "HINT: Set the environment variable LLM_TIMEOUT, for example LLM_TIMEOUT=60" in str(failure.value)
