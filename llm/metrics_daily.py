"""Per-day LLM call figures: read from ``llm_log`` for open days, from the daily roll-up for closed ones.

Scanning every log row of a 90-day range on each view of the metrics page does not scale (750 ms at
200,000 rows). A day's figures never change once the day is over, so they are stored once, in
``llm_daily_metric``: per day, one row for the day and one per model and per prompt, each with its
counts, tokens, cost, errors by category and latency histogram. A range is then the sum of its
days' rows, histograms included, so percentiles over the range are as accurate as from the logs.

A day is closed ``SETTLE`` after it ends in the site's time zone (a call that started before
midnight may be written a little after). Today, and any day not rolled up yet, is read from the
logs, so today's figures are exact and current. Closed days are rolled up by whoever needs them
first (the metrics page, ``prune_llm_logs`` before it deletes rows, ``roll_up_llm_metrics``);
``roll_up_llm_metrics --rebuild`` makes them again (after importing old logs or changing TIME_ZONE).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from llm.models import LLMDailyMetric

GROWTH = 1.02  # each latency bucket is 2 % wider than the last
FLOOR = 0.001  # seconds; shorter calls count as this long
SETTLE = timedelta(minutes=10)
DAY, MODEL, PROMPT = LLMDailyMetric.Dimension.DAY, LLMDailyMetric.Dimension.MODEL, LLMDailyMetric.Dimension.PROMPT
RANGE = "created_at >= %(start)s AND created_at < %(end)s"
LOCAL_DAY = "(created_at AT TIME ZONE %(tz)s)::date"
FIGURES_SQL = f"""
SELECT GROUPING(model, operation), day, coalesce(model, operation, ''), bucket, count(*),
       count(*) FILTER (WHERE status = 'success'), sum(prompt_tokens), sum(completion_tokens), sum(cost)
FROM (
    SELECT model, operation, status, prompt_tokens, completion_tokens, cost, {LOCAL_DAY} AS day,
           floor(ln(greatest(duration, %(floor)s)) / ln(%(growth)s))::int AS bucket
    FROM llm_log WHERE {RANGE}
) AS attempts
GROUP BY GROUPING SETS ((day, model, bucket), (day, operation, bucket), (day, bucket))
"""
ERRORS_SQL = f"""
SELECT GROUPING(model, operation), day, coalesce(model, operation, ''), error_category, count(*)
FROM (SELECT model, operation, error_category, {LOCAL_DAY} AS day FROM llm_log WHERE {RANGE} AND status = 'error') AS e
GROUP BY GROUPING SETS ((day, model, error_category), (day, operation, error_category), (day, error_category))
"""
# GROUPING(model, operation) is a bit mask, 1 = not grouped in that set.
DIMENSION_OF_GROUPING = {0b01: MODEL, 0b10: PROMPT, 0b11: DAY}


@dataclass
class Figures:
    """One day's (or one range's) calls of a model, a prompt or of all of them."""

    calls: int = 0
    successes: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    cost: Decimal | None = None  # None: no call had a known price
    errors: dict[str, int] = field(default_factory=dict)
    latency: dict[int, int] = field(default_factory=dict)  # histogram: bucket -> calls

    def add(self, other: Figures) -> None:
        self.calls += other.calls
        self.successes += other.successes
        self.tokens_in += other.tokens_in
        self.tokens_out += other.tokens_out
        if other.cost is not None:
            self.cost = (self.cost or Decimal(0)) + other.cost
        for category, count in other.errors.items():
            self.errors[category] = self.errors.get(category, 0) + count
        for bucket, count in other.latency.items():
            self.latency[bucket] = self.latency.get(bucket, 0) + count

    def percentile(self, fraction: float) -> float | None:
        """``percentile_cont``'s interpolation between the two ranks around it, each at its bucket's middle."""
        total = sum(self.latency.values())
        if not total:
            return None
        rank = 1 + fraction * (total - 1)
        low = high = None
        seen = 0
        for bucket in sorted(self.latency):
            seen += self.latency[bucket]
            if low is None and seen >= math.floor(rank):
                low = bucket
            if seen >= math.ceil(rank):
                high = bucket
                break
        middle = lambda bucket: math.exp((bucket + 0.5) * math.log(GROWTH))  # noqa: E731
        return middle(low) + (rank - math.floor(rank)) * (middle(high) - middle(low))


Days = dict[date, dict[tuple[str, str], Figures]]


def figures_by_day(start: date, end: date) -> Days:
    """Per day ``start``..``end``, per (dimension, key): its figures. Closed days come from the roll-up."""
    closed = closed_days(start, end)
    days: Days = _rolled_up(closed[0], closed[-1]) if closed else {}
    days.update(_store_from_logs([day for day in closed if day not in days]))
    open_days = [day for day in each_day(start, end) if day not in closed]
    if open_days:
        days.update(_from_logs(open_days[0], open_days[-1]))
    return days


def roll_up(start: date, end: date, *, rebuild: bool = False) -> int:
    """Store the figures of the closed days ``start``..``end`` that are not stored yet (all of them with
    ``rebuild``); returns how many days were stored."""
    closed = closed_days(start, end)
    if not closed:
        return 0
    with transaction.atomic():
        have = set(_stored(closed[0], closed[-1]).filter(dimension=DAY).values_list("day", flat=True))
        made = None
        if rebuild:
            made = _from_logs(closed[0], closed[-1])
            kept = _kept_days(made, have)
            _stored(closed[0], closed[-1]).filter(day__in=kept).delete()
            have -= kept
        missing = [day for day in closed if day not in have]
        _store_from_logs(missing, made)
    return len(missing)


def closed_days(start: date, end: date) -> list[date]:
    """The days of ``start``..``end`` that ended at least ``SETTLE`` ago: their figures no longer change."""
    now = timezone.now()
    return [day for day in each_day(start, end) if _bounds(day, day)[1] + SETTLE <= now]


def _store_from_logs(missing: list[date], made: Days | None = None) -> Days:
    """Count the closed days ``missing`` from the logs (unless ``made`` holds them already) and store them."""
    if not missing:
        return {}
    made = made if made is not None else _from_logs(missing[0], missing[-1])
    days = {day: made.get(day, {}) for day in missing}
    _store(days)
    return days


def _kept_days(made: Days, stored: set[date]) -> set[date]:
    """The days a rebuild may count again: those with logs, but not the oldest of them when earlier
    days were stored, since retention may have deleted part of it (its stored figures are whole)."""
    days = set(made)
    if days and any(day < min(days) for day in stored):
        days.discard(min(days))
    return days


def each_day(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    return (
        timezone.make_aware(datetime.combine(start, time.min), zone),
        timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min), zone),
    )


def _from_logs(start: date, end: date) -> Days:
    since, until = _bounds(start, end)
    params = {
        "tz": timezone.get_current_timezone_name(),
        "start": since,
        "end": until,
        "growth": GROWTH,
        "floor": FLOOR,
    }
    days: Days = defaultdict(lambda: defaultdict(Figures))
    with transaction.atomic(), connection.cursor() as cursor:
        # The planner hashes grouping sets only if its (very pessimistic) size estimate fits in memory.
        cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute("SET LOCAL hash_mem_multiplier = 10")
        cursor.execute(FIGURES_SQL, params)
        for grouping, day, key, bucket, calls, successes, tokens_in, tokens_out, cost in cursor.fetchall():
            figures = days[day][(DIMENSION_OF_GROUPING[grouping], key)]
            figures.calls += calls
            figures.successes += successes
            figures.tokens_in += tokens_in or 0
            figures.tokens_out += tokens_out or 0
            if cost is not None:
                figures.cost = (figures.cost or Decimal(0)) + cost
            figures.latency[bucket] = calls
        cursor.execute(ERRORS_SQL, params)
        for grouping, day, key, category, calls in cursor.fetchall():
            days[day][(DIMENSION_OF_GROUPING[grouping], key)].errors[category] = calls
    return {day: dict(groups) for day, groups in days.items() if start <= day <= end}


def _stored(start: date, end: date):
    return LLMDailyMetric.objects.filter(time_zone=timezone.get_current_timezone_name(), day__range=(start, end))


def _rolled_up(start: date, end: date) -> Days:
    days: Days = defaultdict(dict)
    rows = _stored(start, end).values_list(
        "day", "dimension", "key", "calls", "successes", "tokens_in", "tokens_out", "cost", "errors", "latency"
    )
    for day, dimension, key, calls, successes, tokens_in, tokens_out, cost, errors, latency in rows:
        first, counts = latency["first"], latency["counts"]
        histogram = {first + n: count for n, count in enumerate(counts) if count}
        figures = Figures(calls, successes, tokens_in, tokens_out, cost, errors, histogram)
        days[day][(dimension, key)] = figures
    return dict(days)


def _store(days: Days) -> None:
    """One row per (day, dimension, key), and a row for every day, calls or not: it marks the day as done."""
    zone = timezone.get_current_timezone_name()
    rows = []
    for day, groups in days.items():
        groups = {(DAY, ""): Figures(), **groups}
        for (dimension, key), figures in groups.items():
            first = min(figures.latency, default=0)
            last = max(figures.latency, default=-1)
            counts = [figures.latency.get(bucket, 0) for bucket in range(first, last + 1)]
            rows.append(
                LLMDailyMetric(
                    time_zone=zone,
                    day=day,
                    dimension=dimension,
                    key=key,
                    calls=figures.calls,
                    successes=figures.successes,
                    tokens_in=figures.tokens_in,
                    tokens_out=figures.tokens_out,
                    cost=figures.cost,
                    errors=figures.errors,
                    latency={"first": first, "counts": counts},
                )
            )
    # Two viewers may roll up the same day at once: the second's rows are the same and are dropped.
    LLMDailyMetric.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
