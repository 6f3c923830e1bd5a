"""The daily roll-up behind the metrics page: the same figures as the logs, today exact, history kept."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from llm import metrics, metrics_daily
from llm.models import LLMDailyMetric, LLMLog
from llm.tests.test_metrics import at, log

pytestmark = pytest.mark.django_db


@pytest.fixture
def ninety_days():
    """Calls on every third day of the last 90, a model and a prompt each, some failing; and two today."""
    today = timezone.localdate()
    for back in range(0, 90, 3):
        day = today - timedelta(days=back + 1)
        log("openai/a", "post_summary", at(day, 9), 0.5 + back / 10)
        log("ollama/b", "alt_text", at(day, 15), 2.0 + back / 7, "timeout" if back % 2 else "")
    log("openai/a", "post_summary", at(today, 0), 1.25)
    log("openai/a", "title_ideas", at(today, 0), 3.5, "rate_limit")
    return today


def figures(result):
    rows = [*result.by_model, *result.by_prompt, *result.by_day]
    return [(r.key, r.calls, r.successes, r.p50, r.p95, r.p99, r.tokens_in, r.cost, r.errors) for r in rows]


def test_a_range_from_the_roll_up_equals_the_same_range_from_the_logs(ninety_days):
    start = ninety_days - timedelta(days=89)
    first = metrics.compute(start, ninety_days)  # rolls the closed days up
    assert LLMDailyMetric.objects.filter(dimension="day").count() == 89  # every closed day, calls or not
    again = metrics.compute(start, ninety_days)  # reads them back
    assert figures(again) == figures(first)
    stored = metrics_daily.figures_by_day(start, ninety_days)
    with_calls = {day: groups for day, groups in stored.items() if groups[("day", "")].calls}
    assert with_calls == metrics_daily._from_logs(start, ninety_days)
    by_model = {row.key: row for row in first.by_model}
    assert first.total.calls == 62 and by_model["ollama/b"].errors == {"timeout": 15}


def test_today_is_read_from_the_logs_and_exact(ninety_days):
    start = ninety_days - timedelta(days=89)
    before = metrics.compute(start, ninety_days)
    log("openai/a", "post_summary", at(ninety_days, 0), 7.0, "server_error")
    after = metrics.compute(start, ninety_days)
    assert after.by_day[-1].calls == before.by_day[-1].calls + 1 == 3
    assert after.by_day[-1].errors == {"rate_limit": 1, "server_error": 1}
    assert not LLMDailyMetric.objects.filter(day=ninety_days).exists()


def test_query_count_does_not_grow_with_the_range(ninety_days, django_assert_max_num_queries):
    metrics.compute(ninety_days - timedelta(days=89), ninety_days)  # rolled up
    with CaptureQueriesContext(connection) as one_week:
        metrics.compute(ninety_days - timedelta(days=6), ninety_days)
    with django_assert_max_num_queries(len(one_week)):
        metrics.compute(ninety_days - timedelta(days=89), ninety_days)


def test_pruning_rolls_the_days_up_first_so_their_calls_still_count(ninety_days, tmp_path):
    start = ninety_days - timedelta(days=89)
    before = metrics.compute(start, ninety_days).total
    LLMDailyMetric.objects.all().delete()  # as on a site that never opened the metrics page
    call_command("prune_llm_logs", "--older-than", "30d", "--no-archive", verbosity=0)
    assert LLMLog.objects.filter(created_at__lt=timezone.now() - timedelta(days=30)).count() == 0
    after = metrics.compute(start, ninety_days).total
    assert (after.calls, after.successes, after.cost) == (before.calls, before.successes, before.cost)


def test_a_closed_day_is_final_until_rebuilt(ninety_days):
    day = ninety_days - timedelta(days=2)
    call_command("roll_up_llm_metrics", verbosity=0)
    LLMLog.objects.create(operation="post_summary", model="openai/a", status="success", duration=1.0, cost=1)
    LLMLog.objects.filter(created_at__date=ninety_days, duration=1.0).update(created_at=at(day, 10))
    assert metrics.compute(day, day).total.calls == 0
    call_command("roll_up_llm_metrics", "--rebuild", verbosity=0)
    assert metrics.compute(day, day).total.calls == 1
    assert metrics.compute(day, day).total.cost == Decimal(1)


def test_rolling_up_the_same_day_twice_at_once_keeps_one_copy(ninety_days):
    day = ninety_days - timedelta(days=1)
    made = metrics_daily._from_logs(day, day)
    metrics_daily._store(made)
    metrics_daily._store(made)  # a second viewer that read the logs before the first stored them
    assert LLMDailyMetric.objects.filter(day=day).count() == 5  # the day, two models, two prompts
    assert metrics.compute(day, day).total.calls == 2


def test_roll_up_command_rejects_a_bad_number_of_days(db):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="--days must be"):
        call_command("roll_up_llm_metrics", "--days", "0")
