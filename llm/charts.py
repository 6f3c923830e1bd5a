"""Small bar charts as inline SVG, rendered on the server (no JavaScript, no CDN)."""

from collections.abc import Sequence

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 720, 180, 56, 28, 12
COLOURS = ("#417690", "#ba2121", "#79aec8", "#f5dd5d")


def _nice(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 1:
        return f"{value:.1f}"
    return f"{value:.3g}"


def _px(value: float) -> str:
    return f"{value:.1f}"


def bar_chart(
    title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[float]]], unit: str = ""
) -> SafeString:
    """Stacked bars, one per label; each series is (name, values)."""
    totals = [sum(values[i] or 0 for _name, values in series) for i in range(len(labels))]
    top = max(totals, default=0) or 1
    plot_width, plot_height = WIDTH - LEFT - 8, HEIGHT - BOTTOM - TOP
    step = plot_width / max(len(labels), 1)
    bar = max(step * 0.8, 1)
    parts = [
        format_html(
            '<svg class="llm-chart" viewBox="0 0 {} {}" role="img" aria-label="{}" xmlns="http://www.w3.org/2000/svg">',
            WIDTH,
            HEIGHT + 20,
            title,
        ),
        format_html('<text x="{}" y="{}" font-size="12" font-weight="bold">{}</text>', LEFT, 10, title),
        format_html(
            '<text x="{}" y="{}" font-size="10" text-anchor="end">{}{}</text>', LEFT - 4, TOP + 8, _nice(top), unit
        ),
        format_html('<text x="{}" y="{}" font-size="10" text-anchor="end">0</text>', LEFT - 4, TOP + plot_height),
        format_html(
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#999"/>',
            LEFT,
            TOP + plot_height,
            WIDTH - 8,
            TOP + plot_height,
        ),
    ]
    for index, label in enumerate(labels):
        x = LEFT + index * step + (step - bar) / 2
        base = TOP + plot_height
        for (name, values), colour in zip(series, COLOURS, strict=False):
            value = values[index] or 0
            height = plot_height * value / top
            base -= height
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{} {}: {}{}</title></rect>',
                    _px(x),
                    _px(base),
                    _px(bar),
                    _px(height),
                    colour,
                    label,
                    name,
                    _nice(value),
                    unit,
                )
            )
    every = max(1, len(labels) // 8)
    for index in range(0, len(labels), every):
        parts.append(
            format_html(
                '<text x="{}" y="{}" font-size="10" text-anchor="middle">{}</text>',
                _px(LEFT + index * step + step / 2),
                HEIGHT - 10,
                labels[index],
            )
        )
    legend_x = LEFT
    for (name, _values), colour in zip(series, COLOURS, strict=False):
        parts.append(
            format_html('<rect x="{}" y="{}" width="10" height="10" fill="{}"/>', legend_x, HEIGHT + 6, colour)
        )
        parts.append(format_html('<text x="{}" y="{}" font-size="10">{}</text>', legend_x + 14, HEIGHT + 15, name))
        legend_x += 14 + 7 * len(name) + 16
    parts.append(mark_safe("</svg>"))
    return mark_safe("".join(str(part) for part in parts))  # every part is escaped above
