"""Template filters for public pages; the work is in content.rendering (no queries)."""

from django import template

from content import rendering
from content.paths import page_path

register = template.Library()

register.filter("markdown", rendering.render_markdown)
register.filter("image_source", rendering.image_source)
register.filter("video_source", rendering.video_source)
register.filter("safe_media_url", rendering.safe_media_url)
register.filter("duration", rendering.format_duration)


@register.filter
def tag_url(slug: str) -> str:
    """A tag page's path, reversed once per slug: a list of ten cards links about fifty tags."""
    return page_path("content:tag_detail", slug)
