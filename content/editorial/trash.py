"""Soft delete for posts: the trash, restoring from it, and purging (a real delete) for superusers."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from reversion.models import Revision

from content.models import Post, WorkflowTransition


class TrashRefused(Exception):
    """The trash operation is not allowed; ``str()`` says why."""


@transaction.atomic
def trash_post(post_id: int, user: AbstractBaseUser | None) -> Post:
    """Move a post to the trash: hidden from readers and from the admin's post list."""
    post = Post.objects.select_for_update(of=("self",)).filter(pk=post_id).first()
    if post is None:
        raise TrashRefused("This post does not exist.")
    if post.deleted_at is None:
        post.deleted_at = timezone.now()
        post.save(update_fields=["deleted_at", "updated_at"])
        WorkflowTransition.objects.record(post, user, "trash")
    return post


@transaction.atomic
def trash_posts(post_ids: Iterable[int], user: AbstractBaseUser | None) -> int:
    """Move several posts to the trash at once (all or none)."""
    return sum(1 for pk in post_ids if trash_post(pk, user))


@transaction.atomic
def restore_post(post_id: int, user: AbstractBaseUser | None) -> Post:
    post = Post.objects.select_for_update(of=("self",)).filter(pk=post_id, deleted_at__isnull=False).first()
    if post is None:
        raise TrashRefused("This post is not in the trash.")
    post.deleted_at = None
    post.save(update_fields=["deleted_at", "updated_at"])
    WorkflowTransition.objects.record(post, user, "restore")
    return post


def _purge(post: Post) -> None:
    """Delete the post for good: sections, tag links and the transition log go with it (database
    cascades), and so do its revisions."""
    post_type = ContentType.objects.get_for_model(Post)
    Revision.objects.filter(version__content_type=post_type, version__object_id=str(post.pk)).delete()
    post.delete()


@transaction.atomic
def purge_post(post_id: int, user: AbstractBaseUser) -> None:
    if not user.is_superuser:
        raise TrashRefused("Only superusers may delete posts for good.")
    post = Post.objects.select_for_update(of=("self",)).filter(pk=post_id, deleted_at__isnull=False).first()
    if post is None:
        raise TrashRefused("Only posts in the trash can be deleted for good.")
    _purge(post)


def trashed_before(older_than: timedelta) -> list[int]:
    return list(
        Post.objects.filter(deleted_at__lt=timezone.now() - older_than)
        .order_by("deleted_at")
        .values_list("pk", flat=True)
    )


def purge_trash(older_than: timedelta, progress: Callable[[Iterable[int]], Iterable[int]] = iter) -> int:
    """Purge every post that has been in the trash longer than ``older_than``; one transaction per post."""
    purged = 0
    cutoff = timezone.now() - older_than
    for pk in progress(trashed_before(older_than)):
        with transaction.atomic():
            post = Post.objects.select_for_update(of=("self",)).filter(pk=pk, deleted_at__lt=cutoff).first()
            if post is not None:
                _purge(post)
                purged += 1
    return purged
