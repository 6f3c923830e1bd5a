"""The workflow's admin screens, mixed into PostAdmin: panel actions, assignments, revisions, trash.

Thin views: they parse the request, call a service, and turn its refusal into a message.
Every change is a POST through the admin's CSRF-protected views.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from content.editorial import (
    checklist_admin,
    revisions,
    services,
    trash,
    workflow,
    workflow_selectors,
    workflow_services,
)
from content.editorial.admin_pages import PostPagesMixin, int_or_none, publish_time
from content.editorial.workflow_services import WorkflowDenied
from content.models import Post


class WorkflowAdminMixin(PostPagesMixin):
    """Adds the workflow URLs and views to a ModelAdmin of Post."""

    def get_urls(self):
        return [
            *self.pages(
                ("my-assignments/", "assignments_view", "content_post_assignments"),
                ("trash/", "trash_view", "content_post_trash"),
                ("trash/<str:object_id>/", "trash_action_view", "content_post_trash_action"),
                ("trash/<str:object_id>/purge/", "purge_confirm_view", "content_post_purge_confirm"),
                ("<str:object_id>/workflow/", "workflow_view", "content_post_workflow"),
                ("<str:object_id>/revisions/", "revisions_view", "content_post_revisions"),
                ("<str:object_id>/revisions/diff/", "diff_view", "content_post_revision_diff"),
                ("<str:object_id>/revisions/revert/", "revert_view", "content_post_revert"),
            ),
            *super().get_urls(),
        ]

    def _change_url(self, post_id) -> str:
        return reverse("admin:content_post_change", args=[post_id])

    @staticmethod
    def _unknown_post(request: HttpRequest) -> HttpResponseRedirect:
        messages.error(request, "This post does not exist or is in the trash.")
        return redirect("admin:content_post_changelist")

    # --- the panel's buttons ---

    @staticmethod
    def _workflow_step(request: HttpRequest, pk: int, data) -> tuple[str, list[str]]:
        """Run the step the panel's form asks for; returns the success message and the content checks'
        warnings (recommended checks the step let pass)."""
        kind, action, seq = data.get("kind"), data.get("action", ""), int_or_none(data.get("seq"))
        if kind == "transition":
            publish_at = publish_time(data.get("publish_at")) if action == "schedule" else None
            post = workflow_services.apply_transition(
                pk, action, request.user, seq=seq, publish_at=publish_at, note=data.get("note", "")
            )
            return transition_done(action, post), post.check_warnings
        if kind == "substage":
            key = data.get("substage", "")
            workflow_services.move_substage(pk, key, action, request.user, seq=seq, note=data.get("note", ""))
            status = workflow.Status.LABELS[workflow.SUBSTAGE_ACTIONS[action][1]]
            return f"{workflow.substage_label(key)}: {status.lower()}.", []
        if kind == "assign":
            assignee_id = int_or_none(data.get("assignee"))
            assignee = get_user_model().objects.filter(pk=assignee_id).first() if assignee_id else None
            if assignee_id and assignee is None:
                raise WorkflowDenied("That user does not exist.")
            workflow_services.assign_substage(pk, data.get("substage", ""), assignee, request.user, seq=seq)
            return "Assignment saved.", []
        raise WorkflowDenied("Unknown workflow request.")

    def workflow_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        pk = int_or_none(object_id)
        if pk is None:
            return self._unknown_post(request)
        try:
            done, warnings = self._workflow_step(request, pk, request.POST)
            messages.success(request, done)
            checklist_admin.warn(request, warnings)
        except WorkflowDenied as refusal:
            messages.error(request, f"Refused: {refusal}")
            if not Post.objects.alive().filter(pk=pk).exists():
                return redirect("admin:content_post_changelist")
        return HttpResponseRedirect(self._change_url(pk) + "#workflow")

    # --- assignments ---

    def assignments_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        rows = workflow_selectors.assignments(request.user)
        return TemplateResponse(
            request, "admin/content/post/assignments.html", self.page_context(request, "My assignments", rows=rows)
        )

    # --- revisions ---

    def revisions_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        post = self.readable_post(request, object_id)
        if post is None:
            return self._unknown_post(request)
        versions = list(revisions.post_versions(post))
        rows = [(version, version.field_dict.get("version")) for version in versions]
        context = self.page_context(
            request,
            f"Revisions of “{post}”",
            post=post,
            rows=rows,
            transitions=workflow_selectors.history(post),
            may_revert=self.has_change_permission(request, post),
        )
        return TemplateResponse(request, "admin/content/post/revisions.html", context)

    def diff_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        post = self.readable_post(request, object_id)
        if post is None:
            return self._unknown_post(request)
        try:
            older = revisions.revision_of(post, request.GET.get("a"))
            newer = revisions.revision_of(post, request.GET.get("b"))
        except revisions.RevertRefused as refusal:
            messages.error(request, f"Cannot compare: {refusal}")
            return redirect("admin:content_post_revisions", post.pk)
        if older.date_created > newer.date_created:
            older, newer = newer, older
        post_changes, section_changes = revisions.diff(revisions.snapshot(older, post), revisions.snapshot(newer, post))
        context = self.page_context(
            request,
            f"Changes to “{post}”",
            post=post,
            older=older,
            newer=newer,
            post_changes=post_changes,
            section_changes=section_changes,
        )
        return TemplateResponse(request, "admin/content/post/revision_diff.html", context)

    def revert_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        post = self.alive_post(object_id)
        if post is None:
            return self._unknown_post(request)
        if not self.has_change_permission(request, post):
            raise PermissionDenied
        try:
            services.revert(post.pk, request.POST.get("revision"), request.user)
        except revisions.RevertRefused as refusal:
            messages.error(request, f"Not reverted: {refusal}")
            return redirect("admin:content_post_revisions", post.pk)
        if post.published:
            messages.success(
                request,
                "The post and its sections were restored from the revision into its unpublished changes: "
                "readers see them once the changes are published.",
            )
        else:
            messages.success(request, "The post and its sections were restored from the revision.")
        return HttpResponseRedirect(self._change_url(post.pk))

    # --- trash ---

    def trash_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_delete_permission(request):
            raise PermissionDenied
        context = self.page_context(request, "Trash", posts=workflow_selectors.trashed_posts())
        return TemplateResponse(request, "admin/content/post/trash.html", context)

    def purge_confirm_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Deleting for good cannot be undone: the trash links here first, and this page posts the purge."""
        if not request.user.is_superuser:
            raise PermissionDenied
        pk = int_or_none(object_id)
        post = Post.objects.filter(pk=pk, deleted_at__isnull=False).first() if pk is not None else None
        if post is None:
            messages.error(request, "Only posts in the trash can be deleted for good.")
            return redirect("admin:content_post_trash")
        context = self.page_context(request, f"Delete “{post}” for good?", post=post, sections=post.sections.count())
        return TemplateResponse(request, "admin/content/post/purge_confirm.html", context)

    def trash_action_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_delete_permission(request):
            raise PermissionDenied
        pk, action = int_or_none(object_id), request.POST.get("action")
        try:
            if pk is None:
                raise trash.TrashRefused("This post does not exist.")
            if action == "restore":
                post = trash.restore_post(pk, request.user)
                messages.success(request, f"“{post}” was restored from the trash.")
            elif action == "purge":
                trash.purge_post(pk, request.user)
                messages.success(request, "The post was deleted for good.")
            else:
                raise trash.TrashRefused("Unknown trash request.")
        except trash.TrashRefused as refusal:
            messages.error(request, f"Refused: {refusal}")
        return redirect("admin:content_post_trash")


def transition_done(action: str, post: Post) -> str:
    """What a stage step did, in the editor's words."""
    label = workflow.TRANSITION_BY_ACTION[action].label
    if action == "publish":
        return f"“{label}”: done. Readers can see the post now."
    if action == "unpublish":
        return f"“{label}”: done. Readers no longer see the post."
    if action == "schedule" and post.publish_at:
        moment = timezone.localtime(post.publish_at)
        return f"“{label}”: done. The post will be published at {moment:%Y-%m-%d %H:%M}."
    if action == "unschedule":
        return f"“{label}”: done. The post will not be published on its own."
    return f"“{label}”: done. The post is now in {workflow.stage_label(post.workflow_stage)}."
