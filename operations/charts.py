"""The drills' times as a small inline SVG bar chart (the same chart as the LLM metrics'), red when one failed."""

from django.utils.safestring import SafeString

from common.charts import bar_chart


def drill_chart(drills) -> SafeString:
    """One bar per drill, oldest on the left: its whole time (RTO) in seconds."""
    drills = list(reversed(drills))
    labels = [f"{drill.started_at:%m-%d %H:%M}" for drill in drills]
    series = [
        ("passed", [drill.total_seconds if drill.succeeded else 0 for drill in drills]),
        ("failed", [0 if drill.succeeded else drill.total_seconds for drill in drills]),
    ]
    return bar_chart("Restore time of each drill", labels, series, unit=" s", css_class="drill-chart")
