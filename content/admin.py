from django.contrib import admin
from django.db import models

from blog_project.forms import ReadableJSONField
from content import services
from content.forms import SectionInlineForm, SectionInlineFormSet
from content.models import Post, PostSection, Tag

JSON_AS_READABLE = {models.JSONField: {"form_class": ReadableJSONField}}


class PostSectionInline(admin.StackedInline):
    model = PostSection
    form = SectionInlineForm
    formset = SectionInlineFormSet
    formfield_overrides = JSON_AS_READABLE
    extra = 0
    ordering = ["position"]
    raw_id_fields = ["image"]
    fields = [
        ("position", "content_type"),
        ("title", "subtitle"),
        "content",
        "image",
        ("video_url", "audio_url", "duration"),
        "keywords",
        "social_media_snippets",
        "section_metadata",
    ]


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "published", "workflow_stage", "published_at", "updated_at"]
    list_filter = ["published", "workflow_stage", "tags"]
    search_fields = ["title", "subtitle", "slug", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "created_at"
    list_select_related = ["author"]
    formfield_overrides = JSON_AS_READABLE
    inlines = [PostSectionInline]
    fieldsets = [
        (None, {"fields": ["title", "subtitle", "slug", "summary", "content", "tags"]}),
        ("Publishing", {"fields": ["published", "published_at", "publish_at", "author"]}),
        ("LLM", {"classes": ["collapse"], "fields": ["llm_metadata"]}),
    ]
    raw_id_fields = ["author"]
    # Fast at 10,000 posts (make bench): no second COUNT for "N total", 50 rows to render per page.
    show_full_result_count = False
    list_per_page = 50

    def get_queryset(self, request):
        return super().get_queryset(request).alive()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        placed = {
            placed_form.instance.pk
            for formset in formsets
            if isinstance(formset, SectionInlineFormSet)
            for placed_form in formset.placed_forms
        }
        services.renumber_sections(form.instance, placed_first=placed)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
