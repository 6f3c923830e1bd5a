"""The workflow of a published post's working copy: submit, approve or send back, publish, schedule, discard.

Editors submit changes for review; Publishers approve or send them back, then publish them now
or at a set time. Publishing runs the same content checks as a first publish and applies the
working copy to the live rows through the one save service, in one transaction, with a revision
that names who published and who edited. Every step is logged as a ``WorkflowTransition``.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from content.editorial import checklist, services, working_copies
from content.editorial.workflow_rules import CHANGES_STEPS as STEPS
from content.editorial.workflow_rules import changes_step_refusal, failed_checks, run_content_checks
from content.editorial.workflow_steps import WorkflowDenied
from content.models import Autosave, Post, WorkflowTransition, WorkingCopy


def _locked(post_id: int) -> tuple[Post, WorkingCopy]:
    post = Post.objects.alive().select_for_update(of=("self",)).filter(pk=post_id).first()
    copy = WorkingCopy.objects.select_for_update().filter(post_id=post_id).first() if post else None
    if post is None or copy is None:
        raise WorkflowDenied("This post has no unpublished changes (they were published or discarded meanwhile).")
    return post, copy


def take_step(
    post_id: int,
    action: str,
    user: AbstractBaseUser | None,
    *,
    version: int | None,
    publish_at: datetime | None = None,
    note: str = "",
) -> Post | None:
    """Take one step on the post's working copy; ``version`` is the working copy's version the page showed."""
    if action not in STEPS:
        raise WorkflowDenied(f"There is no step called {action!r} for unpublished changes.")
    with transaction.atomic():
        post, copy = _locked(post_id)
        if version is not None and version != copy.version:
            raise WorkflowDenied("The changes were edited since this page was loaded: look at them again and retry.")
        reason = changes_step_refusal(action, copy, user)
        if reason:
            raise WorkflowDenied(reason)
        label, _, _, target = STEPS[action]
        note = note.strip()
        if action == "schedule_changes":
            if publish_at is None or publish_at <= timezone.now():
                raise WorkflowDenied("Give a publication time in the future to schedule the changes.")
            copy.publish_at = publish_at
            note = note or f"Scheduled for {publish_at:%Y-%m-%d %H:%M}."
        elif action == "unschedule_changes":
            copy.publish_at = None
        elif action in ("approve_changes", "publish_changes"):
            draft = working_copies.overlay(post, copy)  # the post as publishing would leave it (in memory)
            post.check_warnings = _refuse_failed_checks(draft, label)
        if action == "publish_changes":
            _publish(draft, user)
        elif action == "discard_changes":
            copy.delete()
            Autosave.objects.filter(post=post).delete()  # typed over the discarded changes
        else:
            copy.stage = target
            copy.save(update_fields=["stage", "publish_at"])
        WorkflowTransition.objects.record(post, user, action, note=note)
    return post


def _refuse_failed_checks(draft: working_copies.Draft, label: str) -> list[str]:
    """Refuse the step when a required check fails; the recommended checks not met, to warn of."""
    checks = run_content_checks(draft.post, draft.sections, tags=draft.tags)
    failures = failed_checks(checks)
    if failures:
        raise WorkflowDenied(f"“{label}” is refused until the content checks pass: " + " ".join(failures))
    return checklist.warnings(checks)


def _publish(draft: working_copies.Draft, user: AbstractBaseUser | None) -> None:
    """Apply the working copy to the live rows (the save service's live path) and remove it."""
    copy = draft.working_copy
    kept = {section.pk for section in draft.sections if section.pk is not None}
    gone = [section for section in draft.post.sections.all() if section.pk not in kept]
    editors = ", ".join(dict.fromkeys(edit["name"] for edit in copy.edits)) or "nobody"
    services.save_post(
        draft.post,
        user,
        comment=f"Published the changes edited by {editors}.",
        sections=services.SectionChanges(saved=draft.sections, deleted=gone),
        tags=draft.tags,
        update_fields=working_copies.POST_FIELDS,
        live=True,
    )
    copy.delete()


def publish_due_changes(now: datetime | None = None) -> list[int]:
    """Publish every working copy whose scheduled time has come; returns the posts' ids.

    A copy whose checks fail is not published: its schedule is cancelled and the reason logged.
    """
    now = now or timezone.now()
    published = []
    due = WorkingCopy.objects.filter(publish_at__lte=now, stage=WorkingCopy.Stage.APPROVED).values_list(
        "post_id", "version"
    )
    for post_id, version in due:
        try:
            take_step(post_id, "publish_changes", None, version=version)
            published.append(post_id)
        except WorkflowDenied as refusal:
            with transaction.atomic():
                WorkingCopy.objects.filter(post_id=post_id).update(publish_at=None)
                post = Post.objects.filter(pk=post_id).first()
                if post is not None:
                    WorkflowTransition.objects.record(post, None, "scheduled_changes_refused", note=str(refusal))
    return published
