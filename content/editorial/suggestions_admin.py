"""Admin views of LLM suggestions on a post's change page: accept (as edited), dismiss, ask for more."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import reverse

from content.editorial import assistance, suggestions
from content.editorial.admin_actions import queue_assistance
from content.editorial.admin_pages import PostPagesMixin, int_or_none
from content.models import Post
from llm.uses import get_use


class SuggestionsAdminMixin(PostPagesMixin):
    """Adds the suggestion URLs and views to a ModelAdmin of Post."""

    def get_urls(self):
        return [
            *self.pages(
                ("<str:object_id>/suggestions/<str:suggestion_id>/", "suggestion_view", "content_post_suggestion"),
                ("<str:object_id>/assist/", "assist_view", "content_post_assist"),
            ),
            *super().get_urls(),
        ]

    def _back(self, post: Post | None) -> HttpResponseRedirect:
        if post is None:
            return HttpResponseRedirect(reverse("admin:content_post_changelist"))
        return HttpResponseRedirect(reverse("admin:content_post_change", args=[post.pk]) + "#suggestions")

    def suggestion_view(self, request: HttpRequest, object_id: str, suggestion_id: str) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        post = self.changeable_post(request, object_id)
        action, number = request.POST.get("action"), int_or_none(suggestion_id)
        try:
            if post is None or number is None:
                raise suggestions.SuggestionRefused("This post or suggestion does not exist.")
            if action == "accept":
                accepted = suggestions.accept(post.pk, number, request.user, text=request.POST.get("text"))
                where = "the unpublished changes" if post.published else "the draft"
                label = suggestions.FIELDS[accepted.field][0]
                messages.success(request, f"{label} accepted into {where}.")
            elif action == "dismiss":
                suggestions.dismiss(post.pk, number, request.user)
                messages.success(request, "Suggestion dismissed.")
            else:
                raise suggestions.SuggestionRefused("Choose Accept or Dismiss.")
        except suggestions.SuggestionRefused as refusal:
            messages.error(request, f"Not done: {refusal}")
        return self._back(post)

    def assist_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        post = self.changeable_post(request, object_id)
        use_name = request.POST.get("use", "")
        if post is None or get_use(use_name) is None:
            messages.error(request, "Not done: there is no such post or LLM action.")
            return self._back(post)
        queue_assistance(request, use_name, assistance.targets(use_name, [post], request.user.pk))
        return self._back(post)
