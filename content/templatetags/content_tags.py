"""Template filters for public pages; the work is in content.rendering (no queries)."""

from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.safestring import SafeString

from common.durations import format_duration
from content import rendering
from content.paths import page_path

register = template.Library()

register.filter("markdown", rendering.render_markdown)
register.filter("strip_controls", rendering.strip_controls, is_safe=True)
register.filter("display_title", rendering.display_title)
register.filter("image_source", rendering.image_source)
register.filter("video_source", rendering.video_source)
register.filter("safe_media_url", rendering.safe_media_url)
register.filter("duration", format_duration)


@register.filter
def tag_url(slug: str) -> str:
    """A tag page's path, reversed once per slug: a list of ten cards links about fifty tags."""
    return page_path("content:tag_detail", slug)


@register.filter
def section_markdown(section) -> SafeString:
    """A section's text: Markdown headings below the section's own, footnote ids under its anchor."""
    level = 3 if section.title or section.subtitle else 2
    return rendering.render_markdown(section.content, min_heading=level, id_prefix=section.anchor)


@register.filter
def iso_datetime(value) -> str:
    """A valid HTML datetime to the second, in the current time zone: ``2026-11-02T09:00:00+00:00``."""
    if not isinstance(value, datetime):
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.isoformat(timespec="seconds")
