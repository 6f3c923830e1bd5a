"""Template filters for public pages; the work is in content.rendering (no queries)."""

from django import template

from content import rendering
from content.models import ContentType

register = template.Library()

register.filter("markdown", rendering.render_markdown)
register.filter("image_source", rendering.image_source)
register.filter("video_source", rendering.video_source)
register.filter("safe_media_url", rendering.safe_media_url)
register.filter("duration", rendering.format_duration)


@register.filter
def section_template(section) -> str:
    """The small template that renders a section of this content type (text when unknown)."""
    kind = section.content_type if section.content_type in ContentType.values else ContentType.TEXT
    return f"content/sections/{kind}.html"
