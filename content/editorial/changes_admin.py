"""Admin screens of a published post's unpublished changes: what they change, a preview, their steps.

The preview renders the readers' own template from the working copy, for staff only, never cached.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_cache_control

from content.editorial import checklist_admin, publishing, tasks, workflow_selectors, working_copies
from content.editorial.admin_pages import PostPagesMixin, int_or_none, publish_time
from content.editorial.workflow_steps import WorkflowDenied
from content.site import post_page


class ChangesAdminMixin(PostPagesMixin):
    """Adds the unpublished-changes URLs and views to a ModelAdmin of Post."""

    def get_urls(self):
        return [
            *self.pages(
                ("<str:object_id>/changes/", "changes_view", "content_post_changes"),
                ("<str:object_id>/changes/preview/", "changes_preview_view", "content_post_changes_preview"),
                ("<str:object_id>/changes/step/", "changes_step_view", "content_post_changes_step"),
            ),
            *super().get_urls(),
        ]

    def _draft(self, request: HttpRequest, object_id) -> working_copies.Draft:
        post = self.readable_post(request, object_id)
        if post is None:
            raise Http404("This post does not exist or is in the trash.")
        return working_copies.load(post)

    def changes_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        draft = self._draft(request, object_id)
        post_changes, section_changes = working_copies.changes_since_live(draft)
        context = self.page_context(
            request,
            f"Unpublished changes to “{draft.post}”",
            post=draft.post,
            changes=workflow_selectors.working_copy_panel(draft, request.user) or {"edits": []},
            post_changes=post_changes,
            section_changes=section_changes,
        )
        return TemplateResponse(request, "admin/content/post/changes_diff.html", context)

    def changes_preview_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        draft = self._draft(request, object_id)
        post = working_copies.preview_post(draft)
        response = render(request, "content/post_detail.html", post_page.context(post, preview=True))
        add_never_cache_headers(response)
        patch_cache_control(response, private=True)
        response["X-Robots-Tag"] = "noindex"
        return response

    def changes_step_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        pk = int_or_none(object_id)
        action = request.POST.get("action", "")
        try:
            if pk is None:
                raise WorkflowDenied("This post does not exist or is in the trash.")
            publish_at = publish_time(request.POST.get("publish_at")) if action == "schedule_changes" else None
            post = publishing.take_step(
                pk,
                action,
                request.user,
                version=int_or_none(request.POST.get("version")),
                publish_at=publish_at,
                note=request.POST.get("note", ""),
            )
        except WorkflowDenied as refusal:
            messages.error(request, f"Refused: {refusal}")
        else:
            if publish_at is not None:
                tasks.publish_scheduled_posts.using(run_after=publish_at).enqueue()
            messages.success(request, STEP_DONE.get(action, "Done."))
            checklist_admin.warn(request, getattr(post, "check_warnings", []))
        return HttpResponseRedirect(reverse("admin:content_post_change", args=[pk]) if pk else "../../")


STEP_DONE = {
    "submit_changes": "The changes were submitted for review.",
    "approve_changes": "The changes were approved; they can be published or scheduled now.",
    "send_back_changes": "The changes were sent back to the editors.",
    "publish_changes": "The changes were published: readers see them now.",
    "schedule_changes": "The changes were scheduled.",
    "unschedule_changes": "The schedule of the changes was cancelled.",
    "discard_changes": "The changes were discarded; the form shows the published version again.",
}
