"""Small bar charts as inline SVG, rendered on the server (no JavaScript, no CDN)."""

from collections.abc import Callable, Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 720, 180, 56, 28, 12
COLOURS = ("#417690", "#ba2121", "#79aec8", "#f5dd5d")


def _nice_number(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 1:
        return f"{value:.1f}"
    return f"{value:.3g}"


def bar_chart(
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    unit: str = "",
    shown: Callable[[float], str] | None = None,
    css_class: str = "chart",
) -> SafeString:
    """Stacked bars, one per label; each series is (name, values). Text is escaped, numbers are formatted
    (by ``shown`` when given, e.g. durations as m:ss)."""
    title, unit = escape(title), escape(unit)
    _nice = _nice_number if shown is None else lambda value: escape(shown(value))
    labels = [escape(label) for label in labels]
    totals = [sum(values[i] or 0 for _name, values in series) for i in range(len(labels))]
    top = max(totals, default=0) or 1
    plot_width, plot_height = WIDTH - LEFT - 8, HEIGHT - BOTTOM - TOP
    axis = TOP + plot_height
    step = plot_width / max(len(labels), 1)
    bar = max(step * 0.8, 1)
    parts = [
        f'<svg class="{css_class}" viewBox="0 0 {WIDTH} {HEIGHT + 20}" role="img" aria-label="{title}" '
        'xmlns="http://www.w3.org/2000/svg">',
        f'<text x="{LEFT}" y="10" font-size="12" font-weight="bold">{title}</text>',
        f'<text x="{LEFT - 4}" y="{TOP + 8}" font-size="10" text-anchor="end">{_nice(top)}{unit}</text>',
        f'<text x="{LEFT - 4}" y="{axis}" font-size="10" text-anchor="end">0</text>',
        f'<line x1="{LEFT}" y1="{axis}" x2="{WIDTH - 8}" y2="{axis}" stroke="#999"/>',
    ]
    for index, label in enumerate(labels):
        x = LEFT + index * step + (step - bar) / 2
        base = axis
        for (name, values), colour in zip(series, COLOURS, strict=False):
            value = values[index] or 0
            if not value:
                continue  # an empty segment draws nothing and would only add a tooltip
            height = plot_height * value / top
            base -= height
            parts.append(
                f'<rect x="{x:.1f}" y="{base:.1f}" width="{bar:.1f}" height="{height:.1f}" fill="{colour}">'
                f"<title>{label} {escape(name)}: {_nice(value)}{unit}</title></rect>"
            )
    every = max(1, len(labels) // 8)
    for index in range(0, len(labels), every):
        x = LEFT + index * step + step / 2
        parts.append(f'<text x="{x:.1f}" y="{HEIGHT - 10}" font-size="10" text-anchor="middle">{labels[index]}</text>')
    legend_x = LEFT
    for (name, _values), colour in zip(series, COLOURS, strict=False):
        parts.append(f'<rect x="{legend_x}" y="{HEIGHT + 6}" width="10" height="10" fill="{colour}"/>')
        parts.append(f'<text x="{legend_x + 14}" y="{HEIGHT + 15}" font-size="10">{escape(name)}</text>')
        legend_x += 14 + 7 * len(name) + 16
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every text above is escaped, the rest are numbers
