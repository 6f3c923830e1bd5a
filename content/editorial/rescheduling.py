"""Rescheduling from the publishing calendar, through the workflow's own steps (no row is written here).

A post's schedule moves with the workflow's "Schedule" step (``workflow_services.apply_transition``:
the Publisher's permission, the stage, the content checks, the log, the publishing task); unpublished
changes with their "Cancel scheduled changes" and "Schedule changes" steps (``publishing.take_step``),
both in one transaction, so a refused new time leaves the old schedule as it was.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from content.editorial import publishing, tasks, workflow_services
from content.editorial.workflow_steps import WorkflowDenied
from content.models import Post

KINDS = ("post", "changes")
NOTE = "Rescheduled from the calendar."


def reschedule(kind: str, post_id: int, user: AbstractBaseUser, *, token: int | None, publish_at: datetime) -> Post:
    """Move the schedule of a post (``token``: its workflow seq) or of its unpublished changes (``token``:
    their version) to ``publish_at``; raises ``WorkflowDenied`` with the reason when refused."""
    if kind == "post":
        return workflow_services.apply_transition(
            post_id, "schedule", user, seq=token, publish_at=publish_at, note=NOTE
        )
    if kind != "changes":
        raise WorkflowDenied("Only posts and unpublished changes can be rescheduled.")
    with transaction.atomic():
        publishing.take_step(post_id, "unschedule_changes", user, version=token, note=NOTE)
        post = publishing.take_step(post_id, "schedule_changes", user, version=token, publish_at=publish_at, note=NOTE)
        transaction.on_commit(lambda: tasks.publish_scheduled_posts.using(run_after=publish_at).enqueue())
    if post is None:  # take_step returns the post for every step but a discard
        raise WorkflowDenied("The post is gone.")
    return post
