"""Read queries for the LLM admin pages."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.apps import apps
from django.db.models import Count, Q, Sum
from django_tasks_db.models import DBTaskResult

from llm import errors
from llm.models import LLMInteraction, LLMLog, LogStatus
from llm.tasks import TASK_PATH
from llm.uses import get_use

OUR_ERRORS = "llm.errors."


@dataclass(frozen=True)
class TaskRow:
    id: str
    status: str
    enqueued_at: datetime | None
    finished_at: datetime | None
    label: str
    post_id: int | None
    post_title: str
    section_id: int | None
    interaction_id: int | None
    reason: str


def _failure_reason(result: Mapping[str, Any], interaction: Mapping[str, Any] | None) -> str:
    if result["status"] != "FAILED":
        return ""
    if interaction and interaction["status"] == "error":
        return errors.reason(interaction["error_category"])
    if result["exception_class_path"].startswith(OUR_ERRORS):
        last_line = result["traceback"].strip().splitlines()[-1]
        return last_line.split(": ", 1)[-1]
    name = result["exception_class_path"].rsplit(".", 1)[-1]
    return f"The task stopped with an unexpected error ({name}); an administrator can read it under Task results."


def recent_tasks(limit: int = 50) -> list[TaskRow]:
    """The latest LLM tasks with their post, interaction and, on failure, a plain reason. Three queries."""
    results = list(
        DBTaskResult.objects.filter(task_path=TASK_PATH)
        .order_by("-enqueued_at")
        .values("id", "status", "enqueued_at", "finished_at", "args_kwargs", "exception_class_path", "traceback")[
            :limit
        ]
    )
    ids = [str(result["id"]) for result in results]
    interactions = {
        row["task_id"]: row
        for row in LLMInteraction.objects.filter(task_id__in=ids).values("id", "task_id", "status", "error_category")
    }
    args = [result["args_kwargs"]["args"] for result in results]
    post_ids = {arg[1] for arg in args if len(arg) > 1}
    Post = apps.get_model("content.Post")
    titles = dict(Post.objects.filter(pk__in=post_ids).values_list("pk", "title"))
    rows = []
    for result, arg in zip(results, args, strict=True):
        use_name, post_id, section_id = [*arg, None, None][:3]
        use = get_use(use_name)
        interaction = interactions.get(str(result["id"]))
        rows.append(
            TaskRow(
                id=str(result["id"]),
                status=result["status"],
                enqueued_at=result["enqueued_at"],
                finished_at=result["finished_at"],
                label=use.label if use else use_name,
                post_id=post_id,
                post_title=titles.get(post_id, "(deleted post)"),
                section_id=section_id,
                interaction_id=interaction["id"] if interaction else None,
                reason=_failure_reason(result, interaction),
            )
        )
    return rows


@dataclass(frozen=True)
class ModelTotals:
    model: str
    calls: int
    errors: int
    cost: float


def totals_by_model(since: datetime) -> list[ModelTotals]:
    """Attempts (``llm_log`` rows), failed attempts and their cost per model since ``since`` (for /metrics)."""
    rows = (
        LLMLog.objects.filter(created_at__gte=since)
        .order_by()
        .values("model")
        .annotate(calls=Count("*"), errors=Count("status", filter=Q(status=LogStatus.ERROR)), cost=Sum("cost"))
    )
    return [ModelTotals(row["model"], row["calls"], row["errors"], float(row["cost"] or 0)) for row in rows]
