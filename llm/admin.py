from django.contrib import admin
from django.db import models

from blog_project.forms import ReadableJSONField
from llm.models import LLMInteraction, LLMLog, LLMPrompt


@admin.register(LLMPrompt)
class LLMPromptAdmin(admin.ModelAdmin):
    list_display = ["name", "description", "updated_at"]
    search_fields = ["name", "description", "prompt_template"]
    formfield_overrides = {models.JSONField: {"form_class": ReadableJSONField}}


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records are written by the LLM client only; the admin reads them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(LLMInteraction)
class LLMInteractionAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "prompt", "post", "model_used", "status", "tokens_used", "cost", "duration"]
    list_filter = ["status", "model_used", "prompt"]
    list_select_related = ["prompt", "post"]
    search_fields = ["input_text", "output_text", "error_message"]
    date_hierarchy = "created_at"


@admin.register(LLMLog)
class LLMLogAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "operation", "attempt", "model", "status", "error_category", "recovery_action"]
    list_filter = ["status", "error_category", "recovery_action", "model"]
    search_fields = ["operation", "message", "error_class"]
    date_hierarchy = "created_at"
