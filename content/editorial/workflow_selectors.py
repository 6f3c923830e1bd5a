"""Reads for the workflow screens of the admin: the panel, assignments, history, trash."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from content.editorial import workflow
from content.editorial.assistance import USES
from content.editorial.suggestions import FIELDS as SUGGESTION_FIELDS
from content.editorial.suggestions import as_text
from content.editorial.workflow import LATE_MARK, SubStageState, WorkflowState
from content.editorial.workflow_rules import CHANGES_STEPS, changes_step_refusal, check_label, why_not
from content.models import Post, PostSection, Suggestion, WorkflowTransition

RECENT_TRANSITIONS = 10


@dataclass
class TransitionButton:
    action: str
    label: str
    allowed: bool
    reason: str | None
    asks_time: bool


def interaction_url(interaction_id: int) -> str | None:
    try:
        return reverse("admin:llm_llminteraction_change", args=[interaction_id])
    except NoReverseMatch:
        return None


def _substage_row(sub: SubStageState, users: dict[int, Any], editable: bool) -> dict[str, Any]:
    return {
        "sub": sub,
        "assignee": users.get(sub.assignee),
        "actions": sub.allowed_actions() if editable else [],
        "assignable": editable and not sub.automatic and sub.defined,
        "interactions": [(pk, interaction_url(pk)) for pk in sub.llm_interactions],
        "checks": [{**check, "label": check_label(check["name"])} for check in sub.checks],
    }


# Steps logged by other parts of the editorial code, as editors read them.
OTHER_STEPS = {
    "assign": "Assign",
    "trash": "Moved to the trash",
    "restore": "Restored from the trash",
    "revert": "Reverted to a revision",
    "scheduled_publish": "Published at the scheduled time",
    "scheduled_publish_refused": "Scheduled publication refused",
    "scheduled_changes_refused": "Scheduled changes refused",
}


def _step_label(action: str) -> str:
    if action in workflow.TRANSITION_BY_ACTION:
        return workflow.TRANSITION_BY_ACTION[action].label
    if action in workflow.SUBSTAGE_ACTIONS:
        return workflow.SUBSTAGE_ACTIONS[action][2]
    if action in CHANGES_STEPS:
        return CHANGES_STEPS[action][0]
    return OTHER_STEPS.get(action) or action.replace("_", " ").strip().capitalize()


def _place(stage: str, status: str) -> str:
    text = workflow.stage_label(stage) if stage else ""
    if status:
        text += f" / {workflow.Status.LABELS.get(status, status).lower()}"
    return text


def described(steps) -> list[WorkflowTransition]:
    """The logged steps with what editors read of them: ``label``, ``from_place``, ``to_place``, ``summary``."""
    steps = list(steps)
    for step in steps:
        step.label = _step_label(step.action)
        if step.substage:
            step.label += f" · {workflow.substage_label(step.substage)}"
        step.from_place = _place(step.from_stage, step.from_status)
        step.to_place = _place(step.to_stage, step.to_status)
        if step.substage and step.from_status and step.to_status:
            step.summary = f"{workflow.Status.LABELS.get(step.from_status, step.from_status)} → "
            step.summary += workflow.Status.LABELS.get(step.to_status, step.to_status)
        elif step.from_stage != step.to_stage:
            step.summary = f"{step.from_place} → {step.to_place}"
        else:
            step.summary = ""
    return steps


def workflow_panel(post: Post, user: AbstractBaseUser) -> dict[str, Any]:
    """Everything the change page's workflow panel shows, read from the post's own ``stage_data``."""
    state = workflow.read_state(post.workflow_stage, post.stage_data)
    user_model = get_user_model()
    staff = list(user_model.objects.filter(is_active=True, is_staff=True).order_by(user_model.USERNAME_FIELD))
    users = {member.pk: member for member in staff}
    missing = state.assignee_ids() - users.keys()
    if missing:
        users.update(user_model.objects.in_bulk(missing))
    may_change = user.has_perm(workflow.CHANGE)
    stages = [
        {
            "stage": stage,
            "current": stage.key == state.stage,
            "rows": [_substage_row(sub, users, may_change and stage.key == state.stage) for sub in stage.substages],
        }
        for stage in state.stages
    ]
    buttons = []
    for transition in workflow.transitions_from(state.stage, bool(post.published)):
        if transition.action == "unschedule" and not post.publish_at:
            continue  # offered only when something is scheduled
        reason = why_not(transition, post, state, user)
        asks_time = transition.action == "schedule"
        buttons.append(TransitionButton(transition.action, transition.label, reason is None, reason, asks_time))
    return {
        "state": state,
        "stages": stages,
        "retired": [_substage_row(sub, users, False) for sub in state.retired],
        "buttons": buttons,
        "staff": staff,
        "recent": described(post.transitions.select_related("user")[:RECENT_TRANSITIONS]),
        "progress": state.current.progress,
    }


def stage_summary(post: Post) -> str:
    """Short text for the changelist: the current stage and how far along it is."""
    state = workflow.read_state(post.workflow_stage, post.stage_data)
    done, total = state.current.progress
    text = f"{state.label} {done}/{total}"
    if post.published:
        text += " · published"
        if state.substage("publish").notes.startswith(LATE_MARK):
            text += " late (the schedule was missed)"
    elif post.publish_at and post.publish_at <= timezone.now():
        text += f" · overdue: scheduled {post.publish_at:%Y-%m-%d %H:%M}, not yet published"
    elif post.publish_at:
        text += f" · scheduled {post.publish_at:%Y-%m-%d %H:%M}"
    if state.problems:
        text += " · repaired"
    return text


def assignments(user: AbstractBaseUser) -> list[tuple[Post, WorkflowState, list[SubStageState]]]:
    """Posts with sub-stages assigned to ``user`` that are not finished yet, oldest change first."""
    assigned = RawSQL(
        "jsonb_path_exists(post.stage_data, '$.* ? (@.assignee == $uid)', jsonb_build_object('uid', %s::int))",
        [user.pk],
        output_field=BooleanField(),
    )
    result = []
    for post in Post.objects.alive().filter(assigned).order_by("updated_at", "pk"):
        state = workflow.read_state(post.workflow_stage, post.stage_data)
        open_subs = [
            sub for stage in state.stages for sub in stage.substages if sub.assignee == user.pk and not sub.finished
        ]
        if open_subs:
            result.append((post, state, open_subs))
    return result


def history(post: Post) -> list[WorkflowTransition]:
    return described(post.transitions.select_related("user"))


def trashed_posts():
    return Post.objects.filter(deleted_at__isnull=False).select_related("author").order_by("-deleted_at")


def working_copy_panel(draft, user: AbstractBaseUser) -> dict[str, Any] | None:
    """What the change page shows of a published post's unpublished changes (None when it has none)."""
    if draft is None or draft.working_copy is None:
        return None
    copy = draft.working_copy
    steps = []
    for action, (label, *_rest) in CHANGES_STEPS.items():
        reason = changes_step_refusal(action, copy, user)
        if reason is None or action in ("submit_changes", "approve_changes", "publish_changes"):
            steps.append({"action": action, "label": label, "allowed": reason is None, "reason": reason})
    return {
        "copy": copy,
        "edits": [{**edit, "at": parse_datetime(edit["at"])} for edit in copy.edits[-10:]][::-1],
        "steps": steps,
        "version": copy.version,
    }


def suggestion_panel(post: Post) -> dict[str, Any]:
    """The post's LLM suggestions waiting for an editor, ready to show, and the LLM actions to start."""
    pending = list(post.suggestions.filter(status=Suggestion.Status.PENDING).order_by("created_at", "id"))
    positions = dict(PostSection.objects.filter(post=post).values_list("pk", "position"))
    rows = []
    for suggestion in pending:
        label = SUGGESTION_FIELDS[suggestion.field][0]
        if suggestion.section_id is not None:
            position = positions.get(suggestion.section_id)
            label += f" for section {position}" if position else " for a section that no longer exists"
        choices = suggestion.value if suggestion.field == "title" and isinstance(suggestion.value, list) else None
        rows.append(
            {
                "suggestion": suggestion,
                "label": label,
                "choices": choices,
                "text": as_text(suggestion.field, suggestion.value),
            }
        )
    return {"rows": rows, "uses": [(use.name, use.label) for use in USES]}
