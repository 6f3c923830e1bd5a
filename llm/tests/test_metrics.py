"""Metrics computed by PostgreSQL against a known set of log rows."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from llm import metrics
from llm.models import LLMLog

pytestmark = pytest.mark.django_db
DAY1, DAY2 = date(2026, 11, 2), date(2026, 11, 3)


def at(day: date, hour: int = 12) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()) + timedelta(hours=hour))


def log(model, operation, when, duration, category=""):
    ok = not category
    row = LLMLog.objects.create(
        operation=operation,
        model=model,
        status="success" if ok else "error",
        error_category=category,
        duration=duration,
        prompt_tokens=10 if ok else None,
        completion_tokens=5 if ok else None,
        cost=Decimal("0.001") if ok and model.startswith("openai/") else None,  # a local model has no price
    )
    LLMLog.objects.filter(pk=row.pk).update(created_at=when)


@pytest.fixture
def known_rows():
    log("openai/a", "post_summary", at(DAY1), 1.0)
    log("openai/a", "post_summary", at(DAY1), 2.0)
    log("openai/a", "post_summary", at(DAY2), 3.0)
    log("openai/a", "post_summary", at(DAY2), 4.0, "rate_limit")
    log("ollama/b", "alt_text", at(DAY2), 10.0)
    log("ollama/b", "alt_text", at(DAY2), 20.0, "timeout")
    log("openai/a", "post_summary", at(DAY1 - timedelta(days=1)), 99.0, "server_error")  # outside the range


def test_per_model_per_prompt_and_per_day(known_rows):
    result = metrics.compute(DAY1, DAY2)

    a, b = result.by_model
    assert (a.key, a.calls, a.successes, a.success_rate) == ("openai/a", 4, 3, 0.75)
    # percentile_cont gives 2.5, 3.85, 3.97; the histogram is within its documented accuracy
    assert (a.p50, a.p95, a.p99) == pytest.approx((2.5, 3.85, 3.97), rel=metrics.ACCURACY)
    assert (a.tokens_in, a.tokens_out, a.cost) == (30, 15, Decimal("0.003"))
    assert a.errors == {"rate_limit": 1}
    assert (b.key, b.calls, b.errors, b.cost) == ("ollama/b", 2, {"timeout": 1}, None)
    assert b.p50 == pytest.approx(15.0, rel=metrics.ACCURACY)
    assert [(row.key, row.calls, row.errors) for row in result.by_prompt] == [
        ("post_summary", 4, {"rate_limit": 1}),
        ("alt_text", 2, {"timeout": 1}),
    ]
    assert [(row.key, row.calls, row.successes) for row in result.by_day] == [(DAY1, 2, 2), (DAY2, 4, 2)]
    assert result.total.calls == 6 and result.total.cost == Decimal("0.003")


def test_bucketed_percentiles_are_within_the_documented_accuracy_of_exact_ones():
    durations = [0.05 * 1.37**n + n / 100 for n in range(60)]  # 0.05 s .. ~6 min, uneven gaps
    LLMLog.objects.bulk_create(
        LLMLog(operation="post_summary", model=f"openai/{n % 3}", status="success", duration=duration)
        for n, duration in enumerate(durations)
    )
    exact_sql = """
        SELECT model, percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY duration)
        FROM llm_log GROUP BY model
    """
    with connection.cursor() as cursor:
        cursor.execute(exact_sql)
        exact = dict(cursor.fetchall())
    today = timezone.localdate()
    by_model = {row.key: row for row in metrics.compute(today, today).by_model}
    assert set(by_model) == set(exact) and len(exact) == 3
    for model, (p50, p95, p99) in exact.items():
        row = by_model[model]
        assert (row.p50, row.p95, row.p99) == pytest.approx((p50, p95, p99), rel=metrics.ACCURACY)


def test_days_without_calls_are_zero(known_rows):
    result = metrics.compute(DAY1 - timedelta(days=3), DAY1 - timedelta(days=2))
    assert [row.calls for row in result.by_day] == [0, 0] and result.by_model == []


def test_metrics_page_renders_tables_and_charts_within_budget(staff_client, known_rows, django_assert_max_num_queries):
    with django_assert_max_num_queries(10):
        response = staff_client.get("/admin/llm/llmlog/metrics/", {"start": DAY1, "end": DAY2})
    page = response.content.decode()
    assert response.status_code == 200
    assert "openai/a" in page and "alt_text" in page and "rate_limit 1" in page
    assert page.count('<svg class="llm-chart"') == 4
    assert "75 %" in page
    assert "—" in page  # ollama/b has no known cost


def test_bad_range_is_a_form_error(staff_client, known_rows):
    response = staff_client.get("/admin/llm/llmlog/metrics/", {"start": DAY2, "end": DAY1})
    assert response.status_code == 200
    assert "must not be after" in response.content.decode()
    response = staff_client.get("/admin/llm/llmlog/metrics/", {"start": "not-a-date"})
    assert response.status_code == 200 and "Enter a valid date" in response.content.decode()


def test_metrics_need_the_permission(client, django_user_model):
    editor = django_user_model.objects.create_user("editor", password="pass-word-123", is_staff=True)
    client.force_login(editor)
    assert client.get("/admin/llm/llmlog/metrics/").status_code == 403
    client.logout()
    assert client.get("/admin/llm/llmlog/metrics/").status_code == 302  # to the login page


def test_tasks_page_query_budget_does_not_grow(staff_client, django_assert_max_num_queries, db):
    from content.tests.factories import PostFactory
    from llm import tasks
    from llm.uses import Target

    for _ in range(12):
        tasks.enqueue("post_summary", Target(post_id=PostFactory().pk))
    with django_assert_max_num_queries(8):
        page = staff_client.get("/admin/llm/llminteraction/tasks/").content.decode()
    assert page.count("Waiting") == 12


def test_chart_escapes_text():
    from common.charts import bar_chart

    svg = bar_chart("<b>Calls</b>", ["<x>"], [("a&b", [3])])
    assert "<b>" not in svg and "&lt;b&gt;Calls" in svg and "&lt;x&gt;" in svg and "a&amp;b" in svg
    assert svg.count("<rect") == 2  # one bar and one legend swatch
