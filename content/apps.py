from django.apps import AppConfig


class ContentConfig(AppConfig):
    name = "content"
    verbose_name = "Content"

    def ready(self):
        from content import revisions  # noqa: F401  (registers Post and PostSection with django-reversion)
