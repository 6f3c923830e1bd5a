"""The change page's autosave: the endpoint the script posts to, the offer to restore, the restore itself.

Restoring shows the change form filled from the autosave (bound, not saved): the editor reviews it
and saves as usual, and the version it carries refuses the save if someone else saved meanwhile.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import time_format

from content.editorial import autosaves
from content.editorial.admin_pages import PostPagesMixin

RESTORE = "restore_autosave"


class AutosaveAdminMixin(PostPagesMixin):
    """Adds autosave to a ModelAdmin of Post."""

    def get_urls(self):
        return [
            *self.pages(
                ("<str:object_id>/autosave/", "autosave_view", "content_post_autosave"),
                ("<str:object_id>/autosave/discard/", "autosave_discard_view", "content_post_autosave_discard"),
            ),
            *super().get_urls(),
        ]

    def _restoring(self, request: HttpRequest, obj) -> autosaves.Autosave | None:
        if request.method != "GET" or not request.GET.get(RESTORE) or obj is None or obj.pk is None:
            return None
        return autosaves.latest(obj, request.user)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change, **kwargs)
        autosave = self._restoring(request, obj)
        if autosave is None:
            return form_class
        data = request.autosave_data = autosaves.as_query_dict(autosave)

        class RestoredForm(form_class):
            def __init__(self, *args, **kwargs):
                kwargs.setdefault("data", data)
                super().__init__(*args, **kwargs)

        return RestoredForm

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if getattr(request, "autosave_data", None) is not None:
            kwargs["data"] = request.autosave_data
        return kwargs

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk:
            context["autosave_url"] = reverse("admin:content_post_autosave", args=[obj.pk])
            context["autosave_seconds"] = settings.AUTOSAVE_SECONDS
            autosave = autosaves.latest(obj, request.user)
            if getattr(request, "autosave_data", None) is not None:
                context["autosave_restored"] = autosave
            elif autosave is not None and context.get("inline_admin_formsets"):
                formset = context["inline_admin_formsets"][0].formset
                context["autosave_offer"] = {
                    "autosave": autosave,
                    "differences": autosaves.differences(autosave, context["adminform"].form, formset),
                    "restore_url": f"{reverse('admin:content_post_change', args=[obj.pk])}?{RESTORE}=1",
                    "discard_url": reverse("admin:content_post_autosave_discard", args=[obj.pk]),
                }
        return super().render_change_form(request, context, add, change, form_url, obj)

    def autosave_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        post = self.changeable_post(request, object_id)
        if post is None:
            return JsonResponse({"error": "This post does not exist or is in the trash."}, status=404)
        try:
            autosave = autosaves.keep(post, request.user, request.POST)
        except autosaves.AutosaveRefused as refusal:
            return JsonResponse({"error": str(refusal)}, status=400)
        at = time_format(timezone.localtime(autosave.saved_at), "H:i")
        return JsonResponse({"saved_at": autosave.saved_at.isoformat(), "message": f"Unsaved changes kept at {at}."})

    def autosave_discard_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        post = self.changeable_post(request, object_id)
        if post is None:
            return HttpResponseRedirect(reverse("admin:content_post_changelist"))
        autosaves.forget(post.pk, request.user)
        messages.success(request, "Your unsaved changes were discarded.")
        return HttpResponseRedirect(reverse("admin:content_post_change", args=[post.pk]))
