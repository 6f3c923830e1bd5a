from django.contrib import admin, messages
from django.contrib.admin.options import ActionLocation
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse

from common.admin import DurationShownMixin
from content.editorial import autosaves, services, trash, workflow, workflow_selectors, working_copies
from content.editorial.admin_actions import POST_ACTIONS, SECTION_ACTIONS
from content.editorial.admin_views import WorkflowAdminMixin
from content.editorial.autosave_admin import AutosaveAdminMixin
from content.editorial.calendar_admin import CalendarAdminMixin
from content.editorial.changes_admin import ChangesAdminMixin
from content.editorial.checklist_admin import ChecklistAdminMixin
from content.editorial.forms import PostAdminForm, SectionInlineFormSet
from content.editorial.preview_admin import PreviewAdminMixin
from content.editorial.sections_admin import JSON_AS_READABLE, PostSectionInline, section_fields, with_sections_media
from content.editorial.suggestions_admin import SuggestionsAdminMixin
from content.editorial.tags_admin import TagsAdminMixin
from content.models import Post, PostSection, Tag


class WorkflowStageFilter(admin.SimpleListFilter):
    title = "workflow stage"
    parameter_name = "stage"
    UNKNOWN = "unknown"

    def lookups(self, request, model_admin):
        return [*((stage.key, stage.label) for stage in workflow.STAGES), (self.UNKNOWN, "Unknown stage")]

    def queryset(self, request, queryset):
        if self.value() == self.UNKNOWN:
            return queryset.exclude(workflow_stage__in=workflow.STAGE_BY_KEY)
        if self.value() in workflow.STAGE_BY_KEY:
            return queryset.filter(workflow_stage=self.value())
        return queryset


@admin.action(description="Move selected posts to the trash", permissions=["delete"])
def move_to_trash(modeladmin, request, queryset):
    moved = trash.trash_posts(queryset.values_list("pk", flat=True), request.user)
    modeladmin.message_user(
        request, f"Moved {moved} posts to the trash; restore them from the trash if needed.", messages.SUCCESS
    )


@admin.register(Post)
class PostAdmin(
    ChecklistAdminMixin,
    CalendarAdminMixin,
    PreviewAdminMixin,
    TagsAdminMixin,
    AutosaveAdminMixin,
    SuggestionsAdminMixin,
    ChangesAdminMixin,
    WorkflowAdminMixin,
    admin.ModelAdmin,
):
    form = PostAdminForm
    list_display = ["title", "slug", "stage", "published", "published_at", "author", "updated_at"]
    list_filter = [WorkflowStageFilter, "published", "tags"]
    search_fields = ["title", "subtitle", "slug", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "created_at"
    list_select_related = ["author"]
    formfield_overrides = JSON_AS_READABLE
    inlines = [PostSectionInline]
    fieldsets = [
        (None, {"fields": ["title", "subtitle", "slug", "summary", "content", "tags", "version"]}),
        (
            "Publishing",
            {
                "fields": ["published", "published_at", "publish_at", "author"],
                "description": "Publication is changed with the workflow panel's steps (publish, schedule, unpublish).",
            },
        ),
        ("LLM", {"classes": ["collapse"], "fields": ["llm_metadata"]}),
    ]
    readonly_fields = ["published", "published_at", "publish_at"]
    raw_id_fields = ["author"]
    actions = [move_to_trash, *POST_ACTIONS]
    change_form_template = "admin/content/post/change_form.html"
    change_list_template = "admin/change_list_with_links.html"
    delete_confirmation_template = "admin/content/post/delete_confirmation.html"

    @admin.display(description="stage", ordering="workflow_stage")
    def stage(self, post):
        return workflow_selectors.stage_summary(post)

    # Fast at 10,000 posts (make bench): no second COUNT for "N total", 50 rows to render per page.
    show_full_result_count = False
    list_per_page = 50

    def get_queryset(self, request):
        return super().get_queryset(request).alive()

    def changelist_view(self, request, extra_context=None):
        links = [(reverse("admin:content_post_calendar"), "Publishing calendar")]
        links.append((reverse("admin:content_post_assignments"), "My assignments"))
        if request.user.has_perm("content.delete_post"):
            links.append((reverse("admin:content_post_trash"), "Trash"))
        return super().changelist_view(request, {**(extra_context or {}), "extra_links": links})

    def get_object(self, request, object_id, from_field=None):
        if request.method == "POST":
            # Lock the row for the whole save, so the version check and the save cannot interleave.
            queryset = self.get_queryset(request).select_for_update(of=("self",))
            field = self.opts.pk if from_field is None else self.opts.get_field(from_field)
            try:
                post = queryset.get(**{field.name: field.to_python(object_id)})
            except (Post.DoesNotExist, ValidationError, ValueError):
                return None
        else:
            post = super().get_object(request, object_id, from_field)
        if post is not None and working_copies.is_published(post):
            # Editors edit what the working copy holds (the live rows when there is none yet).
            post.draft = working_copies.load(post, lock=request.method == "POST")
        return post

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        draft = getattr(obj, "draft", None)
        if isinstance(inline, PostSectionInline) and draft is not None and draft.working_copy is not None:
            kwargs["working_sections"] = draft.sections
        return kwargs

    def get_inline_formsets(self, request, formsets, inline_instances, obj=None):
        return with_sections_media(super().get_inline_formsets(request, formsets, inline_instances, obj))

    def get_deleted_objects(self, objs, request):
        # "Delete" moves posts to the trash and removes nothing, so no delete permission on their
        # sections or other related rows is needed (purging is a separate, superuser-only step).
        deleted, model_count, _perms_needed, protected = super().get_deleted_objects(objs, request)
        return deleted, model_count, set(), protected

    def get_actions(self, request, action_location=ActionLocation.CHANGE_LIST):
        actions = super().get_actions(request, action_location)
        actions.pop("delete_selected", None)
        return actions

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk:
            context["workflow"] = workflow_selectors.workflow_panel(obj, request.user)
            context["changes"] = workflow_selectors.working_copy_panel(getattr(obj, "draft", None), request.user)
            context["suggestions"] = workflow_selectors.suggestion_panel(obj)
        context["section_fields"] = section_fields()
        return super().render_change_form(request, context, add, change, form_url, obj)

    def save_model(self, request, obj, form, change):
        """Nothing here: ``save_related`` saves the post with its sections and tags in one service call."""

    def save_related(self, request, form, formsets, change):
        changes = services.SectionChanges(saved=[], deleted=[], placed=[])
        for formset in formsets:
            changes.saved += formset.save(commit=False)
            changes.deleted += formset.deleted_objects
            if isinstance(formset, SectionInlineFormSet):
                changes.placed += [placed_form.instance for placed_form in formset.placed_forms]
        changes.complete = True  # the form sends every section that is not live yet
        changed = [*form.changed_data, *("sections" for formset in formsets if formset.has_changed())]
        unpublished = change and working_copies.is_published(form.instance)
        services.save_post(
            form.instance,
            request.user,
            comment=services.describe_change(not change, changed),
            sections=changes,
            tags=form.cleaned_data.get("tags") if "tags" in form.fields else None,
            expected_version=form.cleaned_data["version"] if change else None,
        )
        autosaves.forget(form.instance.pk, request.user)  # saved: nothing left to restore
        if unpublished:
            messages.info(
                request,
                "Saved as unpublished changes: readers still see the published version until the changes are "
                "published (submit them for review, or publish them if you may).",
            )
        typed = form.cleaned_data.get("slug")
        if typed and form.instance.slug != typed:
            messages.warning(
                request, f"The address “{typed}” was taken a moment ago; the post is at “{form.instance.slug}”."
            )

    def delete_model(self, request, obj):
        trash.trash_post(obj.pk, request.user)

    def delete_queryset(self, request, queryset):
        trash.trash_posts(queryset.values_list("pk", flat=True), request.user)

    def response_delete(self, request, obj_display, obj_id):
        self.message_user(
            request,
            f"“{obj_display}” was moved to the trash. You can restore it from the trash.",
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:content_post_changelist"))


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(PostSection)
class SectionAssistanceAdmin(DurationShownMixin, admin.ModelAdmin):
    """Sections listed for LLM actions; they are edited inline on their post."""

    list_display = ["__str__", "post", "position", "content_type", "updated_at"]
    list_filter = ["content_type"]
    list_select_related = ["post"]
    search_fields = ["title", "content", "post__title"]
    actions = SECTION_ACTIONS

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
