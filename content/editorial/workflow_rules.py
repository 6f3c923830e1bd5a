"""What the workflow allows: who may take a step now, and the content checks that gate a step.

Both the steps (workflow_services, scheduling) and the admin's panel (workflow_selectors) ask
these, so they live below all of them. Nothing here writes.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from content.editorial import checklist, checklist_selectors, workflow
from content.editorial.workflow import CHANGE, PUBLISH, Transition, WorkflowState
from content.models import Post, PostSection, WorkingCopy


def why_not(transition: Transition, post: Post, state: WorkflowState, user: AbstractBaseUser) -> str | None:
    """Why ``user`` may not take ``transition`` now (None when it is allowed), checks aside."""
    if transition.source not in (state.stage, workflow.ANY_STAGE):
        return (
            f"“{transition.label}” is a step from {workflow.stage_label(transition.source)}, "
            f"but the post is in {state.label}."
        )
    if transition.when_published is not None and bool(post.published) != transition.when_published:
        return "The post is already published." if post.published else "The post is not published."
    if transition.action == "unschedule" and not post.publish_at:
        return "Nothing is scheduled."
    if not user.has_perm(transition.permission):
        who = "Publishers" if transition.permission == workflow.PUBLISH else "Editors"
        return f"Only {who} may “{transition.label}”; ask an administrator if your account should be among them."
    if transition.requires_finished_stage:
        unfinished = [sub.label for sub in state.current.substages if not sub.automatic and not sub.finished]
        if unfinished:
            return f"Finish or skip these sub-stages of {state.label} first: {', '.join(unfinished)}."
    return None


def run_content_checks(
    post: Post,
    sections: list[PostSection] | None = None,
    *,
    tags: list[str] | None = None,
    publish_at: datetime | None = None,
) -> list[dict]:
    """The gate of the steps to review and to publish: the content checks (``checklist``: has sections,
    alt text, empty sections, links… at the levels ``CONTENT_CHECKS`` sets) and every section valid.

    ``sections`` and ``tags``: the ones to check instead of the post's rows (a working copy's, in memory).
    ``publish_at``: the time the post is being scheduled for (links to posts published by then are fine).
    Returns the checks as stored on the sub-stage; ``failed_checks`` are the ones that refuse the step.
    Queries: a bounded number, whatever the number of sections.
    """
    now = timezone.now().isoformat()
    sections = checklist_selectors.load_sections(post, sections)
    facts = checklist_selectors.facts_for_post(post, sections, tags=tags, publish_at=publish_at)
    checks = [result.stored(now) for result in checklist.run(facts)]
    invalid = []
    for section in sections:
        try:
            # The post and the image are known to exist (or the image is missing, said below): no query each.
            section.full_clean(exclude=["post", "image"], validate_unique=False, validate_constraints=False)
        except Exception as error:  # ValidationError; anything else is as much a reason to stop
            messages = getattr(error, "messages", [str(error)])
            invalid.append(f"section {section.position} ({section}): {' '.join(messages)}")
        else:
            if section.image_id and section.image is None:
                invalid.append(f"section {section.position} ({section}): its image no longer exists.")
    valid = {
        "name": "sections_valid",
        "ok": not invalid,
        "detail": "Invalid: " + "; ".join(invalid) if invalid else "Every section is valid.",
        "at": now,
        "level": checklist.REQUIRED,
    }
    return [*checks[:1], valid, *checks[1:]]  # after "has sections", as before


# Names of checks stored by earlier versions, as editors read them (the stored results keep the names).
CHECK_LABELS = {"sections_valid": "Every section is valid", "images_have_alt_text": "Every image has alt text"}


def check_label(name: str) -> str:
    check = checklist.CHECK_BY_KEY.get(name)
    if check is not None:
        return check.label
    return CHECK_LABELS.get(name) or name.replace("_", " ").strip().capitalize() or "Check"


def failed_checks(checks: list[dict]) -> list[str]:
    """What refuses the step: the details of the failed checks, recommended ones aside (they only warn)."""
    return checklist.blocking(checks)


# The steps of a published post's unpublished changes (content.editorial.publishing).
Stage = WorkingCopy.Stage

# action -> (label, permission, stages it may start from, stage it leads to)
CHANGES_STEPS: dict[str, tuple[str, str, frozenset[str], str | None]] = {
    "submit_changes": ("Submit changes for review", CHANGE, frozenset({Stage.EDITING}), Stage.IN_REVIEW),
    "approve_changes": ("Approve changes", PUBLISH, frozenset({Stage.IN_REVIEW}), Stage.APPROVED),
    "send_back_changes": ("Send changes back", PUBLISH, frozenset({Stage.IN_REVIEW, Stage.APPROVED}), Stage.EDITING),
    "publish_changes": ("Publish changes", PUBLISH, frozenset({Stage.APPROVED}), None),
    "schedule_changes": ("Schedule changes", PUBLISH, frozenset({Stage.APPROVED}), Stage.APPROVED),
    "unschedule_changes": ("Cancel scheduled changes", PUBLISH, frozenset({Stage.APPROVED}), Stage.APPROVED),
    "discard_changes": ("Discard changes", CHANGE, frozenset(Stage.values), None),
}


def changes_step_refusal(action: str, copy: WorkingCopy, user: AbstractBaseUser | None) -> str | None:
    """Why ``user`` may not take the step now (None when allowed; a None user is the scheduler)."""
    label, permission, sources, _ = CHANGES_STEPS[action]
    if user is not None and not user.has_perm(permission):
        who = "Publishers" if permission == PUBLISH else "Editors"
        return f"Only {who} may “{label}”."
    if copy.stage not in sources:
        return f"“{label}” does not apply: the changes are {copy.get_stage_display().lower()}."
    if action == "schedule_changes" and copy.publish_at:
        return "The changes are already scheduled; cancel the schedule first."
    if action == "unschedule_changes" and not copy.publish_at:
        return "The changes are not scheduled."
    return None
