"""Every change an editor makes to a post's workflow: stage transitions, sub-stage moves, assignments.

Each operation is one transaction that locks the post row (``select_for_update``), checks
the step against the definition in ``content.editorial.workflow`` and the rules in
``workflow_rules``, writes ``stage_data`` back and records a ``WorkflowTransition``. Refusals
raise ``WorkflowDenied`` with a message meant for the editor; nothing is changed then, except
that the results of content checks that failed are kept on the sub-stage, so the editor sees
what to fix. Publishing at the scheduled time is ``content.editorial.scheduling``.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from content.editorial import checklist, tasks, workflow
from content.editorial.workflow import Status, SubStageState, WorkflowState
from content.editorial.workflow_rules import failed_checks, run_content_checks, why_not
from content.editorial.workflow_steps import (
    WorkflowDenied,
    lock_post,
    mark_published,
    record,
    save_state,
    set_status,
)
from content.models import Post


def _check_seq(state: WorkflowState, seq: int | None) -> None:
    if seq is None or seq != state.seq:
        raise WorkflowDenied(
            "The workflow of this post changed since this page was loaded (or the form was sent twice). "
            "Nothing was changed: look at its current state and try again."
        )


def apply_transition(
    post_id: int,
    action: str,
    user: AbstractBaseUser,
    *,
    seq: int | None,
    publish_at: datetime | None = None,
    note: str = "",
) -> Post:
    """Take the stage transition ``action`` for the post; raises ``WorkflowDenied`` when refused."""
    transition = workflow.TRANSITION_BY_ACTION.get(action)
    if transition is None:
        raise WorkflowDenied(f"There is no workflow step called {action!r}.")
    failure = None
    with transaction.atomic():
        post = lock_post(post_id)
        state = workflow.read_state(post.workflow_stage, post.stage_data)
        _check_seq(state, seq)
        reason = why_not(transition, post, state, user)
        if reason:
            raise WorkflowDenied(reason)
        now = timezone.now()
        if action == "schedule" and (publish_at is None or publish_at <= now):
            raise WorkflowDenied("Give a publication time in the future to schedule the post.")
        checks: list[dict] = []
        if transition.checks_into:
            checks = run_content_checks(post, publish_at=publish_at if action == "schedule" else None)
            state.substage(transition.checks_into).checks = checks
            failures = failed_checks(checks)
            if failures:
                failure = f"“{transition.label}” is refused until the content checks pass: " + " ".join(failures)
        if failure is None:
            _apply_effects(post, state, action, now, publish_at)
            source, state.stage = state.stage, transition.target or state.stage
            record(post, user, action, source, state.stage, note=note)
        save_state(post, state)
        if failure is None and action == "schedule":
            transaction.on_commit(lambda: tasks.publish_scheduled_posts.using(run_after=post.publish_at).enqueue())
    if failure:
        raise WorkflowDenied(failure)
    post.check_warnings = checklist.warnings(checks)  # recommended checks not met: said, not refused
    return post


def _apply_effects(post: Post, state: WorkflowState, action: str, now: datetime, publish_at: datetime | None) -> None:
    sub = state.substage
    if action == "approve":
        set_status(sub("approval"), Status.DONE, now)
    elif action == "back_to_review":
        set_status(sub("approval"), Status.PENDING, now)
    elif action == "schedule":
        post.publish_at = publish_at
        set_status(sub("schedule"), Status.DONE, now)
        sub("schedule").notes = f"Scheduled for {publish_at.isoformat()}."
    elif action == "unschedule":
        post.publish_at = None
        set_status(sub("schedule"), Status.PENDING, now)
        sub("schedule").notes = ""
    elif action == "publish":
        mark_published(post, state, now)
    elif action == "unpublish":
        post.published = False
        set_status(sub("publish"), Status.PENDING, now)


def move_substage(
    post_id: int, key: str, action: str, user: AbstractBaseUser, *, seq: int | None, note: str = ""
) -> Post:
    """Start, finish, skip, block or reopen one sub-stage of the post's current stage."""
    if action not in workflow.SUBSTAGE_ACTIONS:
        raise WorkflowDenied(f"There is no sub-stage step called {action!r}.")
    with transaction.atomic():
        post = lock_post(post_id)
        state = workflow.read_state(post.workflow_stage, post.stage_data)
        _check_seq(state, seq)
        sub = _editable_substage(state, key, user)
        sources, target, label = workflow.SUBSTAGE_ACTIONS[action]
        if sub.status not in sources:
            raise WorkflowDenied(f"“{label}” does not apply to {sub.label}: it is {sub.status_label.lower()}.")
        if target == Status.BLOCKED and not note.strip():
            raise WorkflowDenied(f"Say what blocks {sub.label} (a note is required).")
        before = sub.status
        set_status(sub, target, timezone.now())
        if note.strip():
            sub.notes = note.strip()
        record(
            post, user, action, state.stage, state.stage, substage=key, from_status=before, to_status=target, note=note
        )
        save_state(post, state)
    return post


def assign_substage(
    post_id: int, key: str, assignee: AbstractBaseUser | None, user: AbstractBaseUser, *, seq: int | None
) -> Post:
    """Give a sub-stage of the current stage to a staff member (or to nobody)."""
    if assignee is not None and not (assignee.is_active and assignee.is_staff):
        raise WorkflowDenied("Sub-stages can only be assigned to active staff members.")
    with transaction.atomic():
        post = lock_post(post_id)
        state = workflow.read_state(post.workflow_stage, post.stage_data)
        _check_seq(state, seq)
        sub = _editable_substage(state, key, user)
        sub.assignee = assignee.pk if assignee else None
        note = f"Assigned to {assignee.get_username()}." if assignee else "Unassigned."
        record(post, user, "assign", state.stage, state.stage, substage=key, note=note)
        save_state(post, state)
    return post


def _editable_substage(state: WorkflowState, key: str, user: AbstractBaseUser) -> SubStageState:
    if not user.has_perm(workflow.CHANGE):
        raise WorkflowDenied("Your account may not change posts.")
    sub = state.substage(key)
    if sub is None:
        raise WorkflowDenied(f"There is no sub-stage {key!r} in the workflow.")
    if workflow.SUBSTAGE_STAGE[key].key != state.stage:
        raise WorkflowDenied(f"{sub.label} belongs to another stage than the post's current one ({state.label}).")
    if sub.automatic:
        raise WorkflowDenied(f"{sub.label} moves with the stage steps, not by hand.")
    return sub
