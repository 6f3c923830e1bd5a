"""The pieces every workflow step is made of: lock the post, move a sub-stage, record, write back.

Shared by the editors' steps (workflow_services) and scheduled publishing (scheduling); each
caller runs them inside its own transaction.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from content.editorial import workflow
from content.editorial.workflow import Status, SubStageState, WorkflowState
from content.models import Post, WorkflowTransition

STATE_FIELDS = ["workflow_stage", "stage_data", "published", "published_at", "publish_at", "updated_at"]


class WorkflowDenied(Exception):
    """A refused workflow step; ``str()`` says why, in words for the editor."""


def lock_post(post_id: int) -> Post:
    try:
        return Post.objects.alive().select_for_update(of=("self",)).get(pk=post_id)
    except (Post.DoesNotExist, ValueError, TypeError):
        raise WorkflowDenied("This post does not exist or is in the trash.") from None


def save_state(post: Post, state: WorkflowState) -> None:
    state.seq += 1
    post.workflow_stage = state.stage
    post.stage_data = workflow.dump_state(state)
    post.save(update_fields=STATE_FIELDS)


def set_status(sub: SubStageState, status: str, now: datetime) -> None:
    sub.status = status
    if status == Status.IN_PROGRESS:
        sub.started_at = sub.started_at or now
        sub.finished_at = None
    elif status in Status.FINISHED:
        sub.started_at = sub.started_at or now
        sub.finished_at = now
    elif status == Status.PENDING:
        sub.started_at = sub.finished_at = None


def record(post: Post, user, action: str, from_stage: str, to_stage: str, **fields) -> None:
    WorkflowTransition.objects.record(post, user, action, from_stage=from_stage, to_stage=to_stage, **fields)


def mark_published(post: Post, state: WorkflowState, now: datetime) -> None:
    post.published = True
    post.published_at = now
    post.publish_at = None
    set_status(state.substage("publish"), Status.DONE, now)
    if state.substage("schedule").status == Status.PENDING:
        set_status(state.substage("schedule"), Status.SKIPPED, now)


@transaction.atomic
def link_llm_interaction(post_id: int, key: str, interaction_id: int) -> None:
    """Remember that an LLM interaction served a sub-stage (called by the LLM features)."""
    post = lock_post(post_id)
    state = workflow.read_state(post.workflow_stage, post.stage_data)
    sub = state.substage(key)
    if sub is None:
        raise WorkflowDenied(f"There is no sub-stage {key!r} in the workflow.")
    if interaction_id not in sub.llm_interactions:
        sub.llm_interactions.append(interaction_id)
        save_state(post, state)
