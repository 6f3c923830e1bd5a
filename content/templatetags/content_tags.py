"""Template filters for public pages; the work is in content.rendering (no queries)."""

from functools import lru_cache

from django import template
from django.urls import get_script_prefix, reverse

from content import rendering

register = template.Library()

register.filter("markdown", rendering.render_markdown)
register.filter("image_source", rendering.image_source)
register.filter("video_source", rendering.video_source)
register.filter("safe_media_url", rendering.safe_media_url)
register.filter("duration", rendering.format_duration)


@lru_cache(maxsize=4096)
def _tag_path(script_prefix: str, slug: str) -> str:
    return reverse("content:tag_detail", kwargs={"slug": slug})


@register.filter
def tag_url(slug: str) -> str:
    """A tag page's path, reversed once per slug: a list of ten cards links about fifty tags."""
    return _tag_path(get_script_prefix(), slug)
