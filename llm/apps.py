from django.apps import AppConfig


class LlmConfig(AppConfig):
    name = "llm"
    verbose_name = "LLM assistance"

    def ready(self):
        from llm import checks  # noqa: F401  system checks of the LLM settings
