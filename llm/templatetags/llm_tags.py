"""Template filters of the LLM admin pages."""

from django import template

from common.durations import format_duration

register = template.Library()


@register.filter
def latency(seconds) -> str:
    """Seconds (a float) as m:ss.s; ``—`` when unknown."""
    return format_duration(seconds, tenths=True) if isinstance(seconds, (int, float)) else "—"
