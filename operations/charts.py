"""The drills' times as a small inline SVG bar chart, rendered on the server."""

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 640, 160, 48, 24, 16
PASSED, FAILED = "#417690", "#ba2121"


def drill_chart(drills) -> SafeString:
    """One bar per drill, oldest on the left: its whole time (RTO) in seconds, red when it failed."""
    drills = list(reversed(drills))
    top = max((drill.total_seconds for drill in drills), default=0) or 1
    plot_width, plot_height = WIDTH - LEFT - 8, HEIGHT - BOTTOM - TOP
    axis = TOP + plot_height
    step = plot_width / max(len(drills), 1)
    bar = max(step * 0.7, 1)
    parts = [
        f'<svg class="drill-chart" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" role="img" '
        'aria-label="Restore time of each drill, in seconds" xmlns="http://www.w3.org/2000/svg">',
        f'<text x="{LEFT - 4}" y="{TOP + 4}" font-size="10" text-anchor="end">{top:.1f} s</text>',
        f'<text x="{LEFT - 4}" y="{axis}" font-size="10" text-anchor="end">0</text>',
        f'<line x1="{LEFT}" y1="{axis}" x2="{WIDTH - 8}" y2="{axis}" stroke="#999"/>',
    ]
    for index, drill in enumerate(drills):
        height = max(plot_height * drill.total_seconds / top, 1)
        x = LEFT + index * step + (step - bar) / 2
        outcome = "passed" if drill.succeeded else "failed"
        label = escape(f"{drill.started_at:%Y-%m-%d %H:%M}: {drill.total_seconds:.1f} s, {outcome}")
        parts.append(
            f'<rect x="{x:.1f}" y="{axis - height:.1f}" width="{bar:.1f}" height="{height:.1f}" '
            f'fill="{PASSED if drill.succeeded else FAILED}"><title>{label}</title></rect>'
        )
    if drills:
        first, last = drills[0].started_at, drills[-1].started_at
        parts.append(f'<text x="{LEFT}" y="{HEIGHT - 6}" font-size="10">{first:%m-%d}</text>')
        parts.append(f'<text x="{WIDTH - 8}" y="{HEIGHT - 6}" font-size="10" text-anchor="end">{last:%m-%d}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # numbers and escaped text only
