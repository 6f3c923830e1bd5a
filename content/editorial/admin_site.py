"""The admin's house style: named after the blog, and showing editors only what they work with.

``ContentConfig.ready`` calls ``dress`` once every app's admin module is loaded.
"""

from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.utils.functional import lazy

# Admin pages of other apps' machinery (login throttling, the task queue): superusers only.
INFRASTRUCTURE_MODELS = (
    "axes.AccessAttempt",
    "axes.AccessLog",
    "axes.AccessFailureLog",
    "django_tasks_database.DBTaskResult",  # the app label of django_tasks_db
)
# Registered by packages for models nobody here uses (posts' tags are content.Tag).
UNUSED_MODELS = ("taggit.Tag",)


def _site_name() -> str:
    return settings.SITE_NAME


site_name = lazy(_site_name, str)
site_title = lazy(lambda: f"{_site_name()} admin", str)


class SuperusersOnly:
    """Mixed before a ModelAdmin: the model's pages and index entry exist for superusers only."""

    def has_module_permission(self, request):
        return request.user.is_superuser and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args):
        return request.user.is_superuser and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)


def _registered(label: str):
    try:
        model = apps.get_model(label)
    except LookupError:
        return None
    return model if admin.site.is_registered(model) else None


def dress(site: admin.AdminSite = admin.site) -> None:
    """Brand ``site`` from SITE_NAME, drop unused admins, keep infrastructure to superusers."""
    site.site_header = site_name()
    site.site_title = site_title()
    site.index_title = "The editor's desk"
    for label in UNUSED_MODELS:
        model = _registered(label)
        if model is not None:
            site.unregister(model)
    for label in INFRASTRUCTURE_MODELS:
        model = _registered(label)
        if model is None:
            continue
        model_admin = type(site.get_model_admin(model))
        if issubclass(model_admin, SuperusersOnly):
            continue
        site.unregister(model)
        site.register(model, type(f"SuperusersOnly{model_admin.__name__}", (SuperusersOnly, model_admin), {}))
