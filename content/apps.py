from django.apps import AppConfig


class ContentConfig(AppConfig):
    name = "content"
    verbose_name = "Content"

    def ready(self):
        from content import checks  # noqa: F401  system checks of the content settings
        from content.editorial import (  # noqa: F401
            assistance,  # registers the LLM prompt uses
            revisions,  # registers Post and PostSection with django-reversion
            signals,  # re-renders sections when an image they show changes
        )
