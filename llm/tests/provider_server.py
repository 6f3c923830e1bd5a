"""The ``llm_server`` fixture: testing.llm_provider's server, with the LLM settings pointing at it."""

import pytest

from testing.llm_provider import ProviderServer


@pytest.fixture
def llm_server(settings):
    """The provider server, with the LLM settings pointing at it."""
    with ProviderServer() as server:
        settings.LLM_MODEL = "openai/test-model"
        settings.LLM_API_BASE = server.url
        settings.LLM_API_KEY = "sk-test-secret-key"
        settings.LLM_FALLBACK_MODELS = []
        settings.LLM_TIMEOUT = 2.0
        settings.LLM_MAX_RETRIES = 2
        settings.LLM_RETRY_BACKOFF = 0.01
        yield server
