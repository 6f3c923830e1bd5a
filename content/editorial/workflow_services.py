"""Every change to a post's workflow: stage transitions, sub-stage moves, scheduled publishing.

Each operation is one transaction that locks the post row (``select_for_update``), checks
the step against the definition in ``content.editorial.workflow`` and the user's permissions, writes
``stage_data`` back and records a ``WorkflowTransition``. Refusals raise ``WorkflowDenied``
with a message meant for the editor; nothing is changed then, except that the results of
content checks that failed are kept on the sub-stage, so the editor sees what to fix.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from content.editorial import workflow
from content.editorial.workflow import Status, SubStageState, Transition, WorkflowState
from content.models import Post, PostSection, SectionType, WorkflowTransition

STATE_FIELDS = ["workflow_stage", "stage_data", "published", "published_at", "publish_at", "updated_at"]


class WorkflowDenied(Exception):
    """A refused workflow step; ``str()`` says why, in words for the editor."""


def _lock(post_id: int) -> Post:
    try:
        return Post.objects.alive().select_for_update(of=("self",)).get(pk=post_id)
    except (Post.DoesNotExist, ValueError, TypeError):
        raise WorkflowDenied("This post does not exist or is in the trash.") from None


def _check_seq(state: WorkflowState, seq: int | None) -> None:
    if seq is None or seq != state.seq:
        raise WorkflowDenied(
            "The workflow of this post changed since this page was loaded (or the form was sent twice). "
            "Nothing was changed: look at its current state and try again."
        )


def _save(post: Post, state: WorkflowState) -> None:
    state.seq += 1
    post.workflow_stage = state.stage
    post.stage_data = workflow.dump_state(state)
    post.save(update_fields=STATE_FIELDS)


def _set_status(sub: SubStageState, status: str, now: datetime) -> None:
    sub.status = status
    if status == Status.IN_PROGRESS:
        sub.started_at = sub.started_at or now
        sub.finished_at = None
    elif status in Status.FINISHED:
        sub.started_at = sub.started_at or now
        sub.finished_at = now
    elif status == Status.PENDING:
        sub.started_at = sub.finished_at = None


def run_content_checks(post: Post) -> list[dict]:
    """The review gate: the post has sections, every one is valid, every shown image has alt text."""
    now = timezone.now().isoformat()
    sections = list(PostSection.objects.filter(post=post).select_related("image").order_by("position"))
    invalid, missing_alt = [], []
    for section in sections:
        try:
            section.full_clean(validate_unique=False, validate_constraints=False)
        except Exception as error:  # ValidationError; anything else is as much a reason to stop
            messages = getattr(error, "messages", [str(error)])
            invalid.append(f"section {section.position} ({section}): {' '.join(messages)}")
        if section.content_type == SectionType.IMAGE and section.image and not (section.image.alt_text or "").strip():
            missing_alt.append(f"section {section.position} ({section.image})")
    return [
        {
            "name": "has_sections",
            "ok": bool(sections),
            "detail": f"{len(sections)} sections." if sections else "The post has no sections.",
            "at": now,
        },
        {
            "name": "sections_valid",
            "ok": not invalid,
            "detail": "Invalid: " + "; ".join(invalid) if invalid else "Every section is valid.",
            "at": now,
        },
        {
            "name": "images_have_alt_text",
            "ok": not missing_alt,
            "detail": "Images without alt text: " + "; ".join(missing_alt)
            if missing_alt
            else "Every image has alt text.",
            "at": now,
        },
    ]


def failed_checks(checks: list[dict]) -> list[str]:
    return [check["detail"] for check in checks if not check["ok"]]


def why_not(transition: Transition, post: Post, state: WorkflowState, user: AbstractBaseUser) -> str | None:
    """Why ``user`` may not take ``transition`` now (None when it is allowed), checks aside."""
    if transition.source not in (state.stage, workflow.ANY_STAGE):
        return (
            f"“{transition.label}” is a step from {workflow.stage_label(transition.source)}, "
            f"but the post is in {state.label}."
        )
    if transition.when_published is not None and bool(post.published) != transition.when_published:
        return "The post is already published." if post.published else "The post is not published."
    if not user.has_perm(transition.permission):
        who = "Publishers" if transition.permission == workflow.PUBLISH else "Editors"
        return f"Only {who} may “{transition.label}”: your account lacks the permission {transition.permission}."
    if transition.requires_finished_stage:
        unfinished = [sub.label for sub in state.current.substages if not sub.automatic and not sub.finished]
        if unfinished:
            return f"Finish or skip these sub-stages of {state.label} first: {', '.join(unfinished)}."
    return None


def _record(post: Post, user, action: str, from_stage: str, to_stage: str, **fields) -> None:
    WorkflowTransition.objects.create(
        post=post,
        user=user if user is not None and user.is_authenticated else None,
        action=action,
        from_stage=from_stage,
        to_stage=to_stage,
        **fields,
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
        post = _lock(post_id)
        state = workflow.read_state(post.workflow_stage, post.stage_data)
        _check_seq(state, seq)
        reason = why_not(transition, post, state, user)
        if reason:
            raise WorkflowDenied(reason)
        now = timezone.now()
        if action == "schedule" and (publish_at is None or publish_at <= now):
            raise WorkflowDenied("Give a publication time in the future to schedule the post.")
        if transition.checks_into:
            checks = run_content_checks(post)
            state.substage(transition.checks_into).checks = checks
            failures = failed_checks(checks)
            if failures:
                failure = f"“{transition.label}” is refused until the content checks pass: " + " ".join(failures)
        if failure is None:
            _apply_effects(post, state, action, now, publish_at)
            source, state.stage = state.stage, transition.target or state.stage
            _record(post, user, action, source, state.stage, note=note)
        _save(post, state)
        if failure is None and action == "schedule":
            transaction.on_commit(lambda: _enqueue_scheduled_publication(post.publish_at))
    if failure:
        raise WorkflowDenied(failure)
    return post


def _apply_effects(post: Post, state: WorkflowState, action: str, now: datetime, publish_at: datetime | None) -> None:
    sub = state.substage
    if action == "approve":
        _set_status(sub("approval"), Status.DONE, now)
    elif action == "back_to_review":
        _set_status(sub("approval"), Status.PENDING, now)
    elif action == "schedule":
        post.publish_at = publish_at
        _set_status(sub("schedule"), Status.DONE, now)
        sub("schedule").notes = f"Scheduled for {publish_at.isoformat()}."
    elif action == "unschedule":
        post.publish_at = None
        _set_status(sub("schedule"), Status.PENDING, now)
        sub("schedule").notes = ""
    elif action == "publish":
        _publish(post, state, now)
    elif action == "unpublish":
        post.published = False
        _set_status(sub("publish"), Status.PENDING, now)


def _publish(post: Post, state: WorkflowState, now: datetime) -> None:
    post.published = True
    post.published_at = now
    post.publish_at = None
    _set_status(state.substage("publish"), Status.DONE, now)
    if state.substage("schedule").status == Status.PENDING:
        _set_status(state.substage("schedule"), Status.SKIPPED, now)


def move_substage(
    post_id: int, key: str, action: str, user: AbstractBaseUser, *, seq: int | None, note: str = ""
) -> Post:
    """Start, finish, skip, block or reopen one sub-stage of the post's current stage."""
    if action not in workflow.SUBSTAGE_ACTIONS:
        raise WorkflowDenied(f"There is no sub-stage step called {action!r}.")
    with transaction.atomic():
        post = _lock(post_id)
        state = workflow.read_state(post.workflow_stage, post.stage_data)
        _check_seq(state, seq)
        sub = _editable_substage(state, key, user)
        sources, target, label = workflow.SUBSTAGE_ACTIONS[action]
        if sub.status not in sources:
            raise WorkflowDenied(f"“{label}” does not apply to {sub.label}: it is {sub.status_label.lower()}.")
        if target == Status.BLOCKED and not note.strip():
            raise WorkflowDenied(f"Say what blocks {sub.label} (a note is required).")
        before = sub.status
        _set_status(sub, target, timezone.now())
        if note.strip():
            sub.notes = note.strip()
        _record(
            post, user, action, state.stage, state.stage, substage=key, from_status=before, to_status=target, note=note
        )
        _save(post, state)
    return post


def assign_substage(
    post_id: int, key: str, assignee: AbstractBaseUser | None, user: AbstractBaseUser, *, seq: int | None
) -> Post:
    """Give a sub-stage of the current stage to a staff member (or to nobody)."""
    if assignee is not None and not (assignee.is_active and assignee.is_staff):
        raise WorkflowDenied("Sub-stages can only be assigned to active staff members.")
    with transaction.atomic():
        post = _lock(post_id)
        state = workflow.read_state(post.workflow_stage, post.stage_data)
        _check_seq(state, seq)
        sub = _editable_substage(state, key, user)
        sub.assignee = assignee.pk if assignee else None
        note = f"Assigned to {assignee.get_username()}." if assignee else "Unassigned."
        _record(post, user, "assign", state.stage, state.stage, substage=key, note=note)
        _save(post, state)
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


@transaction.atomic
def link_llm_interaction(post_id: int, key: str, interaction_id: int) -> None:
    """Remember that an LLM interaction served a sub-stage (called by the LLM features)."""
    post = _lock(post_id)
    state = workflow.read_state(post.workflow_stage, post.stage_data)
    sub = state.substage(key)
    if sub is None:
        raise WorkflowDenied(f"There is no sub-stage {key!r} in the workflow.")
    if interaction_id not in sub.llm_interactions:
        sub.llm_interactions.append(interaction_id)
        _save(post, state)


# --- scheduled publishing ---


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
            _set_status(schedule, Status.BLOCKED, now)
            schedule.notes = "Scheduled publication refused by the content checks: " + " ".join(failures)
            _record(post, None, "scheduled_publish_refused", state.stage, state.stage, note=schedule.notes)
            _save(post, state)
            return False
        _publish(post, state, now)
        _record(post, None, "scheduled_publish", state.stage, state.stage)
        _save(post, state)
        return True


def publish_due_posts(now: datetime | None = None) -> list[int]:
    """Publish every due post; returns the ids this run published."""
    return [pk for pk in due_post_ids(now) if publish_scheduled_post(pk, now)]


def _enqueue_scheduled_publication(when: datetime) -> None:
    from content.editorial.tasks import publish_scheduled_posts

    publish_scheduled_posts.using(run_after=when).enqueue()
