"""Tag names for the post form's tag box: existing tags matching what the editor is typing."""

from __future__ import annotations

from django.db.models import Case, IntegerField, Value, When
from django.db.models.functions import Lower
from django.http import HttpRequest, HttpResponse, JsonResponse

from common.text import first_control_character
from content.editorial.admin_pages import PostPagesMixin
from content.editorial.forms import TAG_MAX_LENGTH
from content.models import Tag

MAX_SUGGESTIONS = 20


def matching_tag_names(typed: str, limit: int = MAX_SUGGESTIONS) -> list[str]:
    """Names starting with ``typed`` first, then names containing it; case-insensitive, alphabetical."""
    typed = typed.strip()
    if not typed or len(typed) > TAG_MAX_LENGTH:
        return []  # no tag is longer than the limit, so none can contain a longer text
    starts_first = Case(When(name__istartswith=typed, then=Value(0)), default=Value(1), output_field=IntegerField())
    matches = Tag.objects.filter(name__icontains=typed).order_by(starts_first, Lower("name"), "name")
    return list(matches.values_list("name", flat=True)[:limit])


class TagsAdminMixin(PostPagesMixin):
    """Adds ``tags/?q=…`` to a ModelAdmin of Post: JSON ``{"tags": [...]}``, for staff who may see posts."""

    def get_urls(self):
        return [*self.pages(("tags/", "tags_view", "content_post_tags")), *super().get_urls()]

    def tags_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_or_change_permission(request):
            return JsonResponse({"error": "Your account may not see posts."}, status=403)
        typed = request.GET.get("q", "")
        if first_control_character(typed):  # NUL among them: PostgreSQL refuses it in any text
            return JsonResponse({"error": "Tags cannot hold invisible control characters."}, status=400)
        return JsonResponse({"tags": matching_tag_names(typed)})
