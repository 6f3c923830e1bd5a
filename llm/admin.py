from django.contrib import admin, messages
from django.db import models
from django.urls import path, reverse
from django.utils.html import format_html_join

from common.admin import DurationShownMixin
from common.forms import ReadableJSONField
from llm import admin_views
from llm.config import setup_problem
from llm.models import LLMInteraction, LLMLog, LLMPrompt
from llm.uses import get_use


class SetupWarningMixin:
    """Say plainly what to set while no model is configured."""

    def changelist_view(self, request, extra_context=None):
        problem = setup_problem()
        if problem:
            messages.warning(request, problem)
        return super().changelist_view(request, extra_context)


@admin.register(LLMPrompt)
class LLMPromptAdmin(SetupWarningMixin, admin.ModelAdmin):
    list_display = ["name", "description", "updated_at"]
    search_fields = ["name", "description", "prompt_template"]
    formfield_overrides = {models.JSONField: {"form_class": ReadableJSONField}}
    fields = ["name", "description", "prompt_template", "available_placeholders", "parameters"]
    readonly_fields = ["available_placeholders"]

    @admin.display(description="Placeholders this prompt may use")
    def available_placeholders(self, obj):
        use = get_use(obj.name) if obj else None
        if use is None:
            return "Save the prompt under the name of a feature (e.g. post_summary) to see its placeholders."
        return format_html_join(
            ", ", "<code>{{{}}}</code> {}", ((name, f"({help})") for name, help in use.placeholders.items())
        )


class ReadOnlyAdmin(DurationShownMixin, SetupWarningMixin, admin.ModelAdmin):
    """Records are written by the LLM client only; the admin reads them.

    ``extra_page`` is (path, view, URL name) of one more page the list links to (tasks, metrics).
    """

    extra_page: tuple = ()
    duration_tenths = True
    change_list_template = "admin/change_list_with_links.html"

    def changelist_view(self, request, extra_context=None):
        links = [(reverse("admin:llm_tasks"), "LLM tasks")]
        if request.user.has_perm("llm.view_llmlog"):
            links.append((reverse("admin:llm_metrics"), "Metrics"))
        return super().changelist_view(request, {**(extra_context or {}), "extra_links": links})

    def get_urls(self):
        if not self.extra_page:
            return super().get_urls()
        route, view, name = self.extra_page
        return [path(route, self.admin_site.admin_view(view), name=name), *super().get_urls()]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(LLMInteraction)
class LLMInteractionAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "prompt", "post", "model_used", "status", "tokens_used", "cost", "duration_shown"]
    list_filter = ["status", "model_used", "prompt"]
    list_select_related = ["prompt", "post"]
    search_fields = ["input_text", "output_text", "error_message"]
    date_hierarchy = "created_at"
    extra_page = ("tasks/", admin_views.tasks_view, "llm_tasks")


@admin.register(LLMLog)
class LLMLogAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "operation", "attempt", "model", "status", "error_category", "recovery_action"]
    list_filter = ["status", "error_category", "recovery_action", "model"]
    search_fields = ["operation", "message", "error_class"]
    date_hierarchy = "created_at"
    extra_page = ("metrics/", admin_views.metrics_view, "llm_metrics")
