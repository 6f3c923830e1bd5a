"""The LLM admin pages beyond the model lists: task status for editors and metrics for admins."""

from functools import partial

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse

from common import charts
from common.durations import format_duration
from llm import metrics, selectors
from llm.config import setup_problem
from llm.forms import MetricsRangeForm


def tasks_view(request):
    """Recent LLM tasks: queued, running, done, or failed with a plain reason."""
    rows = selectors.recent_tasks()
    context = {
        **admin.site.each_context(request),
        "title": "LLM tasks",
        "rows": rows,
        "setup_problem": setup_problem(),
        "refresh": any(row.status in ("READY", "RUNNING") for row in rows),
    }
    return TemplateResponse(request, "admin/llm/tasks.html", context)


def metrics_view(request):
    if not request.user.has_perm("llm.view_llmlog"):
        raise PermissionDenied
    form = MetricsRangeForm(request.GET or None)
    start, end = form.range()
    if not form.is_bound:
        form = MetricsRangeForm(initial={"start": start, "end": end})
    result = metrics.compute(start, end)
    labels = [day.key.strftime("%m-%d") for day in result.by_day]
    days = result.by_day
    chart = partial(charts.bar_chart, labels=labels, css_class="llm-chart")
    calls = [("success", [d.successes for d in days]), ("error", [d.calls - d.successes for d in days])]
    chart_list = [
        chart("Calls per day", series=calls),
        chart(
            "Latency p95 per day (m:ss)",
            series=[("p95", [d.p95 or 0 for d in days])],
            shown=lambda seconds: format_duration(seconds, tenths=True),
        ),
        chart("Tokens per day", series=[("in", [d.tokens_in for d in days]), ("out", [d.tokens_out for d in days])]),
        chart("Cost per day", series=[("cost", [float(d.cost or 0) for d in days])], unit=" $"),
    ]
    context = {
        **admin.site.each_context(request),
        "title": "LLM metrics",
        "form": form,
        "metrics": result,
        "charts": chart_list,
        "setup_problem": setup_problem(),
    }
    return TemplateResponse(request, "admin/llm/metrics.html", context)
