"""LLM call metrics for a date range, computed by PostgreSQL in two queries.

One scan of ``llm_log`` with GROUPING SETS gives the per-model, per-prompt and per-day
figures (count, success rate, latency percentiles, tokens, cost); a second, over failed
attempts only, counts errors by category. Python only arranges rows.

Latency percentiles come from a log-scale histogram rather than ``percentile_cont``: each
group's attempts are counted per bucket (hash aggregation, no per-group sort), and the
percentile is read from the cumulative counts with ``percentile_cont``'s own interpolation
between the two ranks around it, each rank's value taken as its bucket's geometric middle.
A bucket spans a factor of ``GROWTH`` (2 %), so every reported percentile is within
``ACCURACY`` (1 %) of the exact one, for durations of at least ``FLOOR`` seconds (shorter
ones count as ``FLOOR``). Sorting every group's durations does not scale.
"""

import math
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

GROWTH = 1.02  # each latency bucket is 2 % wider than the last
ACCURACY = math.sqrt(GROWTH) - 1  # relative error bound of a percentile: 0.995 %
FLOOR = 0.001  # seconds
RANGE = "created_at >= %(start)s AND created_at < %(end)s"
GROUP = "grouping_id, model, operation, day"


def _percentile(fraction: float) -> str:
    """SQL for one percentile of a group from its cumulative histogram (``upto``, ``total``)."""
    rank = f"(1 + {fraction}::float8 * (total - 1))"
    low = f"min(bucket) FILTER (WHERE upto >= floor({rank}))"
    high = f"min(bucket) FILTER (WHERE upto >= ceil({rank}))"
    middle = "exp((({b}) + 0.5::float8) * ln(%(growth)s::float8))"
    weight = f"({rank} - floor({rank}))"
    low_value, high_value = middle.format(b=low), middle.format(b=high)
    return f"{low_value} + max({weight}) * ({high_value} - {low_value})"


SUMMARY_SQL = f"""
WITH histogram AS (
    SELECT GROUPING(model, operation, day) AS grouping_id, model, operation, day, bucket,
           count(*) AS calls,
           count(*) FILTER (WHERE status = 'success') AS successes,
           sum(prompt_tokens) AS tokens_in,
           sum(completion_tokens) AS tokens_out,
           sum(cost) AS cost
    FROM (
        SELECT model, operation, status, prompt_tokens, completion_tokens, cost,
               (created_at AT TIME ZONE %(tz)s)::date AS day,
               floor(ln(greatest(duration, %(floor)s)) / ln(%(growth)s))::int AS bucket
        FROM llm_log WHERE {RANGE}
    ) AS attempts
    GROUP BY GROUPING SETS ((model, bucket), (operation, bucket), (day, bucket))
), cumulative AS (
    SELECT *,
           (sum(calls) FILTER (WHERE bucket IS NOT NULL) OVER (PARTITION BY {GROUP} ORDER BY bucket))::int AS upto,
           (sum(calls) FILTER (WHERE bucket IS NOT NULL) OVER (PARTITION BY {GROUP}))::int AS total
    FROM histogram
)
SELECT {GROUP},
       sum(calls)::int AS calls,
       sum(successes)::int AS successes,
       ARRAY[{_percentile(0.5)}, {_percentile(0.95)}, {_percentile(0.99)}]::float8[] AS latency,
       coalesce(sum(tokens_in), 0)::bigint AS tokens_in,
       coalesce(sum(tokens_out), 0)::bigint AS tokens_out,
       sum(cost) AS cost
FROM cumulative
GROUP BY {GROUP}
"""
ERRORS_SQL = f"""
SELECT GROUPING(model, operation) AS grouping_id, coalesce(model, operation), error_category, count(*)
FROM llm_log
WHERE {RANGE} AND status = 'error'
GROUP BY GROUPING SETS ((model, error_category), (operation, error_category))
"""
# GROUPING(...) is a bit mask, 1 = column not grouped in that set.
BY_MODEL, BY_PROMPT, BY_DAY = 0b011, 0b101, 0b110
ERRORS_BY_MODEL, ERRORS_BY_PROMPT = 0b01, 0b10


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

    @property
    def total(self) -> Row:
        total = Row("all")
        for row in self.by_day:
            total.calls += row.calls
            total.successes += row.successes
            total.tokens_in += row.tokens_in
            total.tokens_out += row.tokens_out
            if row.cost is not None:
                total.cost = (total.cost or Decimal(0)) + row.cost
        return total


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    return (
        timezone.make_aware(datetime.combine(start, time.min), zone),
        timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min), zone),
    )


def compute(start: date, end: date) -> Metrics:
    """Metrics for the days ``start``..``end`` inclusive, in the site's time zone."""
    since, until = _bounds(start, end)
    params = {
        "tz": timezone.get_current_timezone_name(),
        "start": since,
        "end": until,
        "growth": GROWTH,
        "floor": FLOOR,
    }
    with transaction.atomic(), connection.cursor() as cursor:
        # The planner hashes grouping sets only if its (very pessimistic) size estimate fits in
        # memory; sorting the rows three times instead cost twice as much. Real use: a few MB.
        cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute("SET LOCAL hash_mem_multiplier = 10")
        cursor.execute(SUMMARY_SQL, params)
        summary = cursor.fetchall()
        cursor.execute(ERRORS_SQL, params)
        error_counts = cursor.fetchall()
    groups: dict[int, dict] = {BY_MODEL: {}, BY_PROMPT: {}, BY_DAY: {}}
    for grouping, model, operation, day, calls, successes, latency, tokens_in, tokens_out, cost in summary:
        key = {BY_MODEL: model, BY_PROMPT: operation, BY_DAY: day}[grouping]
        p50, p95, p99 = latency or (None, None, None)
        groups[grouping][key] = Row(key, calls, successes, p50, p95, p99, tokens_in, tokens_out, cost)
    for grouping, key, category, calls in error_counts:
        groups[BY_MODEL if grouping == ERRORS_BY_MODEL else BY_PROMPT][key].errors[category] = calls
    days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    return Metrics(
        start=start,
        end=end,
        by_model=sorted(groups[BY_MODEL].values(), key=lambda row: -row.calls),
        by_prompt=sorted(groups[BY_PROMPT].values(), key=lambda row: -row.calls),
        by_day=[groups[BY_DAY].get(day) or Row(day) for day in days],
    )
