"""Scheduled publishing: which posts are due, and publishing them, one post per transaction.

The task (content.editorial.tasks) and ``manage.py publish_scheduled`` both run ``publish_due_posts``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from content.editorial import publishing, workflow
from content.editorial.workflow import LATE_AFTER_SECONDS, LATE_MARK, Status
from content.editorial.workflow_rules import failed_checks, run_content_checks
from content.editorial.workflow_steps import mark_published, record, save_state, set_status
from content.models import Post


def due_post_ids(now: datetime | None = None) -> list[int]:
    """Posts whose scheduled time has come and that are not published yet."""
    return list(
        Post.objects.alive()
        .filter(published=False, publish_at__lte=now or timezone.now(), workflow_stage="publishing")
        .order_by("publish_at", "pk")
        .values_list("pk", flat=True)
    )


def publish_scheduled_post(post_id: int, now: datetime | None = None) -> bool:
    """Publish one due post if it still is due; True when this call published it.

    Safe to run from several workers at once: the row is locked with SKIP LOCKED, so a post
    another worker holds is left to it, and the conditions are checked again under the lock.
    A post whose content checks fail is not published; its schedule is cancelled and marked blocked.
    """
    now = now or timezone.now()
    with transaction.atomic():
        post = (
            Post.objects.alive()
            .select_for_update(skip_locked=True, of=("self",))
            .filter(pk=post_id, published=False, publish_at__lte=now, workflow_stage="publishing")
            .first()
        )
        if post is None:
            return False
        state = workflow.read_state(post.workflow_stage, post.stage_data)
        checks = run_content_checks(post)
        state.substage("publish").checks = checks
        failures = failed_checks(checks)
        if failures:
            post.publish_at = None
            schedule = state.substage("schedule")
            set_status(schedule, Status.BLOCKED, now)
            schedule.notes = "Scheduled publication refused by the content checks: " + " ".join(failures)
            record(post, None, "scheduled_publish_refused", state.stage, state.stage, note=schedule.notes)
            save_state(post, state)
            return False
        scheduled_for = post.publish_at
        mark_published(post, state, now)
        note = ""
        if (now - scheduled_for).total_seconds() > LATE_AFTER_SECONDS:
            minutes = max(1, round((now - scheduled_for).total_seconds() / 60))
            note = state.substage("publish").notes = (
                f"{LATE_MARK}: {minutes} min after its scheduled time ({scheduled_for:%Y-%m-%d %H:%M} UTC), "
                "when no publishing worker was running."
            )
        record(post, None, "scheduled_publish", state.stage, state.stage, note=note)
        save_state(post, state)
        return True


def publish_due_posts(
    now: datetime | None = None, *, progress: Callable[[list[int]], Iterable[int]] = iter
) -> list[int]:
    """Publish every due post; returns the ids this run published.

    ``progress`` wraps the due ids as they are worked through (the command's progress bar).
    """
    return [pk for pk in progress(due_post_ids(now)) if publish_scheduled_post(pk, now)]


def publish_everything_due(now: datetime | None = None) -> list[int]:
    """Posts and unpublished changes whose time has come, published; the ids of the posts."""
    return publish_due_posts(now) + publishing.publish_due_changes(now)
