"""LLM call metrics for a date range: per model, per prompt and per day.

The figures of each day come from ``llm.metrics_daily`` (the logs for today, the daily roll-up for
closed days); this module adds them up over the range. Latency percentiles come from log-scale
histograms rather than exact ones: a bucket spans a factor of ``GROWTH`` (2 %), so every reported
percentile is within ``ACCURACY`` (1 %) of ``percentile_cont``'s, for durations of at least
``FLOOR`` seconds (shorter ones count as ``FLOOR``). Histograms add up exactly, so a 90-day range is
as accurate as a day, and costs a read of some thousand small rows instead of every log row.
"""

import math
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from llm.metrics_daily import DAY, FLOOR, GROWTH, MODEL, PROMPT, Figures, each_day, figures_by_day

ACCURACY = math.sqrt(GROWTH) - 1  # relative error bound of a percentile: 0.995 %
__all__ = ["ACCURACY", "FLOOR", "Metrics", "Row", "compute"]


@dataclass
class Row:
    key: str
    calls: int = 0
    successes: int = 0
    p50: float | None = None
    p95: float | None = None
    p99: float | None = None
    tokens_in: int = 0
    tokens_out: int = 0
    cost: Decimal | None = None  # None: no model in the range has a known price
    errors: dict[str, int] = field(default_factory=dict)

    @property
    def success_rate(self) -> float | None:
        return self.successes / self.calls if self.calls else None

    @property
    def errors_text(self) -> str:
        return ", ".join(f"{name} {count}" for name, count in sorted(self.errors.items(), key=lambda e: -e[1]))


@dataclass
class Metrics:
    start: date
    end: date
    by_model: list[Row]
    by_prompt: list[Row]
    by_day: list[Row]  # every day of the range, zeros included
    total: Row  # the whole range, latency percentiles included


def _row(key, figures: Figures) -> Row:
    return Row(
        key,
        figures.calls,
        figures.successes,
        figures.percentile(0.5),
        figures.percentile(0.95),
        figures.percentile(0.99),
        figures.tokens_in,
        figures.tokens_out,
        figures.cost,
        figures.errors,
    )


def compute(start: date, end: date) -> Metrics:
    """Metrics for the days ``start``..``end`` inclusive, in the site's time zone."""
    days = figures_by_day(start, end)
    totals: dict[tuple[str, str], Figures] = {}
    by_day = []
    for day in each_day(start, end):
        groups = days.get(day, {})
        by_day.append(_row(day, groups.get((DAY, ""), Figures())))
        for group, figures in groups.items():
            totals.setdefault(group if group[0] != DAY else (DAY, "all"), Figures()).add(figures)
    rows = {MODEL: [], PROMPT: []}
    for (dimension, key), figures in totals.items():
        if dimension != DAY:
            rows[dimension].append(_row(key, figures))
    return Metrics(
        start=start,
        end=end,
        by_model=sorted(rows[MODEL], key=lambda row: -row.calls),
        by_prompt=sorted(rows[PROMPT], key=lambda row: -row.calls),
        by_day=by_day,
        total=_row("all", totals.get((DAY, "all"), Figures())),
    )
