"""The LLM client's settings, read fresh on every call (tests and the admin change them)."""

from dataclasses import dataclass

from django.conf import settings

SETUP_HELP = (
    "No language model is configured, so LLM assistance is off. Set LLM_MODEL (for example "
    "openai/gpt-4o-mini, anthropic/claude-3-5-haiku-latest or ollama/llama3.2), the provider's key in "
    "LLM_API_KEY (or OPENAI_API_KEY, ANTHROPIC_API_KEY, …) and, for a local or self-hosted server such as "
    "Ollama, LLM_API_BASE (for example http://127.0.0.1:11434). Then restart `make run`."
)


@dataclass(frozen=True)
class ClientConfig:
    model: str
    fallbacks: tuple[str, ...]
    api_base: str
    api_key: str
    timeout: float
    max_retries: int
    backoff: float

    def safe(self) -> dict:
        """The configuration as it may be logged: never the key itself."""
        return {
            "model": self.model,
            "fallbacks": list(self.fallbacks),
            "api_base": self.api_base,
            "api_key": "set" if self.api_key else "unset",
            "timeout": self.timeout,
            "max_retries": self.max_retries,
            "backoff": self.backoff,
        }


def client_config(prompt_model: str | None = None) -> ClientConfig:
    return ClientConfig(
        model=(prompt_model or settings.LLM_MODEL or "").strip(),
        fallbacks=tuple(m.strip() for m in settings.LLM_FALLBACK_MODELS if m.strip()),
        api_base=settings.LLM_API_BASE,
        api_key=settings.LLM_API_KEY,
        timeout=settings.LLM_TIMEOUT,
        max_retries=max(0, settings.LLM_MAX_RETRIES),
        backoff=max(0.0, settings.LLM_RETRY_BACKOFF),
    )


def setup_problem(prompt_model: str | None = None) -> str | None:
    """What to set before LLM assistance can work, or None when a model is configured."""
    return None if (prompt_model or settings.LLM_MODEL) else SETUP_HELP
