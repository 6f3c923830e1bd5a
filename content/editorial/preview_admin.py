"""The change form's live preview, mixed into PostAdmin: a section as readers get it, the reading time
of the post and of each section, and the whole post in the readers' page.

Staff who may change posts only; POST with the admin's CSRF check, never cached. Input a preview
cannot use is a 400 naming the field (``previews.PreviewRefused``), never a 500.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers, patch_cache_control

from content.editorial import previews
from content.editorial.admin_pages import PostPagesMixin
from content.site import post_page
from content.site.security import public_headers


def _private(response: HttpResponse) -> HttpResponse:
    add_never_cache_headers(response)
    patch_cache_control(response, private=True)
    return response


class PreviewAdminMixin(PostPagesMixin):
    """Adds the preview URLs and views to a ModelAdmin of Post."""

    def get_urls(self):
        return [
            *self.pages(
                ("preview/section/", "section_preview_view", "content_post_preview_section"),
                ("preview/counts/", "reading_counts_view", "content_post_preview_counts"),
                ("preview/post/", "post_preview_view", "content_post_preview"),
            ),
            *super().get_urls(),
        ]

    def _preview_fields(self, request: HttpRequest, parse=previews.json_fields) -> dict[str, str]:
        """The posted fields, once the user may preview; raises PreviewRefused.

        The script sends JSON with the CSRF token in its header: Django's CSRF check then leaves the body
        unread, so a body past the size limit is refused here, naming the field, and not by Django."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 2_621_440
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit:
            raise previews.too_large(length, limit)  # refused before the body is read
        return parse(request.META.get("CONTENT_TYPE", ""), lambda: request.body, limit)

    def _json(self, request: HttpRequest, answer) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        try:
            payload = answer(self._preview_fields(request))
        except previews.PreviewRefused as refusal:
            return _private(JsonResponse({"error": refusal.message, "field": refusal.field}, status=400))
        return _private(JsonResponse(payload))

    def section_preview_view(self, request: HttpRequest) -> HttpResponse:
        """One section's fields (unprefixed) -> its HTML as readers get it, its words and reading time."""
        return self._json(request, previews.section_answer)

    def reading_counts_view(self, request: HttpRequest) -> HttpResponse:
        """The change form's fields -> the reading time of the post, its introduction and each section."""
        return self._json(request, lambda data: previews.read_post(data).counts())

    def post_preview_view(self, request: HttpRequest) -> HttpResponse:
        """The change form's fields -> the readers' page of the post, with the readers' security headers."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        try:
            post = previews.page_post(previews.read_post(self._preview_fields(request, previews.form_fields)))
        except previews.PreviewRefused as refusal:
            return _private(HttpResponseBadRequest(f"No preview: {refusal.message}", content_type="text/plain"))
        response = public_headers(render)(request, "content/post_detail.html", post_page.context(post, preview=True))
        response["X-Robots-Tag"] = "noindex"
        return _private(response)
