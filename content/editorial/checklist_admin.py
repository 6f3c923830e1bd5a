"""The change page's content checks: the panel, the endpoint that re-checks the unsaved form, the warnings.

The panel is computed on the server when the page loads, from what the form shows: the post or its working
copy (or the editor's data, when the form is shown again with its errors or restored from an autosave).
``static/editorial/checklist.js`` then posts the form, as the editor types, to ``checklist/``: the same
checks on the unsaved data, answered with the panel's list rendered by the same template.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.template.loader import render_to_string
from django.urls import reverse

from content.editorial import checklist, checklist_selectors
from content.editorial.admin_pages import PostPagesMixin
from content.editorial.autosaves import MAX_BYTES

ITEMS_TEMPLATE = "admin/content/post/checklist_items.html"
COUNT_TEMPLATE = "admin/content/post/checklist_count.html"


def panel(results: list[checklist.Result]) -> dict:
    """What the panel shows of the checks' results: the list, and counts for its header and status line."""
    required = sum(result.blocks for result in results)
    recommended = sum(not result.ok and not result.blocks for result in results)
    parts = []
    if required:
        parts.append(f"{required} required {'check fails' if required == 1 else 'checks fail'}")
    if recommended:
        parts.append(f"{recommended} recommended {'check is' if recommended == 1 else 'checks are'} not met")
    summary = " · ".join(parts) if parts else "Every check passes"
    if required:
        summary += ": the post cannot go to review or be published until the required ones pass"
    return {"results": results, "required": required, "recommended": recommended, "summary": summary + "."}


def warn(request: HttpRequest, warnings: list[str]) -> None:
    """Say which recommended checks a step let pass."""
    for text in warnings:
        messages.warning(request, f"Recommended check not met: {text}")


class ChecklistAdminMixin(PostPagesMixin):
    """Adds the content checks panel and its ``checklist/`` endpoint to a ModelAdmin of Post."""

    def get_urls(self):
        return [
            *self.pages(("<str:object_id>/checklist/", "checklist_view", "content_post_checklist")),
            *super().get_urls(),
        ]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk and context.get("adminform"):
            # What the form shows: the post, its working copy, or the editor's data shown again.
            formsets = [inline.formset for inline in context.get("inline_admin_formsets", [])]
            sections = next((f for f in formsets if f.prefix == checklist_selectors.SECTION_PREFIX), None)
            shown = checklist_selectors.shown_values(context["adminform"].form, sections)
            facts = checklist_selectors.facts_from_form(obj, shown)
            context["checklist"] = {
                **panel(checklist.run(facts)),
                "url": reverse("admin:content_post_checklist", args=[obj.pk]),
            }
        return super().render_change_form(request, context, add, change, form_url, obj)

    def checklist_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """POST the change form's fields; JSON: the panel's list (``html``), ``summary`` and each check."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        post = self.alive_post(object_id)
        if post is None:
            return JsonResponse({"error": "This post does not exist or is in the trash."}, status=404)
        if not self.has_view_or_change_permission(request, post):
            return JsonResponse({"error": "Your account may not see this post."}, status=403)
        size = sum(len(name) + sum(len(value) for value in values) for name, values in request.POST.lists())
        if size > MAX_BYTES:
            return JsonResponse({"error": f"The form is too large to check ({size:,} characters)."}, status=400)
        results = checklist.run(checklist_selectors.facts_from_form(post, request.POST))
        shown = panel(results)
        return JsonResponse(
            {
                "html": render_to_string(ITEMS_TEMPLATE, {"checklist": shown}, request=request),
                "count": render_to_string(COUNT_TEMPLATE, {"checklist": shown}, request=request).strip(),
                "summary": shown["summary"],
                "required": shown["required"],
                "recommended": shown["recommended"],
                "checks": [
                    {"name": result.key, "ok": result.ok, "level": result.level, "detail": result.outcome.detail}
                    for result in results
                ],
            }
        )
