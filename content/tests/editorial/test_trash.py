"""Soft delete: the trash, restore, purge (superusers only) and `manage.py purge_trash`."""

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from content.models import Post, PostSection, WorkflowTransition
from content.tests.editorial.test_revisions import save_through_admin
from content.tests.editorial.workflow_helpers import draft_post, messages_of

pytestmark = pytest.mark.django_db


def test_admin_delete_moves_to_the_trash(editor_client, editor):
    post = draft_post(published=True, title="To be binned")
    url = reverse("admin:content_post_delete", args=[post.pk])
    confirm = editor_client.get(url)
    assert confirm.status_code == 200 and "Move the post" in confirm.content.decode()
    response = editor_client.post(url, {"post": "yes"}, follow=True)
    assert "“To be binned” was moved to the trash. You can restore it from the trash." in messages_of(response)
    post.refresh_from_db()
    assert post.deleted_at is not None and post.sections.count() == 2
    assert not Post.objects.live().filter(pk=post.pk).exists()
    assert editor_client.get(post.get_absolute_url()).status_code == 404
    changelist = editor_client.get(reverse("admin:content_post_changelist"))
    assert post not in changelist.context["cl"].result_list
    assert WorkflowTransition.objects.filter(post=post, action="trash", user=editor).exists()


def test_bulk_action_moves_to_the_trash(editor_client):
    posts = [draft_post(), draft_post()]
    response = editor_client.post(
        reverse("admin:content_post_changelist"),
        {"action": "move_to_trash", "_selected_action": [p.pk for p in posts]},
        follow=True,
    )
    assert "Moved 2 posts to the trash; restore them from the trash if needed." in messages_of(response)
    assert Post.objects.filter(deleted_at__isnull=False).count() == 2
    assert "delete_selected" not in response.context["action_form"].fields["action"].choices.__repr__()


def test_restore_from_the_trash(editor_client):
    post = draft_post(published=True, title="Back again")
    changelist = editor_client.get(reverse("admin:content_post_changelist")).content.decode()
    assert f'href="{reverse("admin:content_post_trash")}"' in changelist
    editor_client.post(reverse("admin:content_post_delete", args=[post.pk]), {"post": "yes"})
    trash = editor_client.get(reverse("admin:content_post_trash"))
    assert "Back again" in trash.content.decode() and "Delete for good" not in trash.content.decode()
    response = editor_client.post(
        reverse("admin:content_post_trash_action", args=[post.pk]), {"action": "restore"}, follow=True
    )
    assert "“Back again” was restored from the trash." in messages_of(response)
    assert Post.objects.live().filter(pk=post.pk).exists()
    response = editor_client.post(
        reverse("admin:content_post_trash_action", args=[post.pk]), {"action": "restore"}, follow=True
    )
    assert "Refused: This post is not in the trash." in messages_of(response)


def test_only_superusers_purge(editor_client, django_user_model):
    superuser = django_user_model.objects.create_superuser("root", "root@example.org", "pass-word-123")
    staff_client = Client()
    staff_client.force_login(superuser)
    post = draft_post()
    save_through_admin(editor_client, post, title="Has a revision")
    editor_client.post(reverse("admin:content_post_delete", args=[post.pk]), {"post": "yes"})
    url = reverse("admin:content_post_trash_action", args=[post.pk])
    response = editor_client.post(url, {"action": "purge"}, follow=True)
    assert "Refused: Only superusers may delete posts for good." in messages_of(response)
    assert Post.objects.filter(pk=post.pk).exists()
    staff_client.post(reverse("admin:content_post_trash_action", args=[post.pk]), {"action": "purge"})
    assert not Post.objects.filter(pk=post.pk).exists()
    assert not PostSection.objects.filter(post_id=post.pk).exists()
    assert not WorkflowTransition.objects.filter(post_id=post.pk).exists()


def test_purge_refuses_a_post_outside_the_trash_and_bad_requests(staff_client):
    post = draft_post()
    for pk, action, expected in [
        (post.pk, "purge", "Only posts in the trash can be deleted for good."),
        ("abc", "purge", "This post does not exist."),
        (post.pk, "explode", "Unknown trash request."),
    ]:
        response = staff_client.post(
            reverse("admin:content_post_trash_action", args=[pk]), {"action": action}, follow=True
        )
        assert f"Refused: {expected}" in messages_of(response)
    assert Post.objects.filter(pk=post.pk, deleted_at__isnull=True).exists()
    assert staff_client.get(reverse("admin:content_post_trash_action", args=[post.pk])).status_code == 405


def test_purge_trash_command(capsys):
    old, recent, alive = draft_post(), draft_post(), draft_post()
    Post.objects.filter(pk=old.pk).update(deleted_at=timezone.now() - timedelta(days=31))
    Post.objects.filter(pk=recent.pk).update(deleted_at=timezone.now() - timedelta(days=2))
    call_command("purge_trash", "--older-than", "30d")
    assert "Purged 1 posts" in capsys.readouterr().out
    assert set(Post.objects.values_list("pk", flat=True)) == {recent.pk, alive.pk}
    call_command("purge_trash", "--older-than", "24h")
    assert set(Post.objects.values_list("pk", flat=True)) == {alive.pk}
    for bad in ("30", "thirty days", "-1d", "0d", "5y"):
        with pytest.raises(CommandError, match=r"--older-than: .* is not an age"):
            call_command("purge_trash", f"--older-than={bad}")
    assert Post.objects.filter(pk=alive.pk).exists()


def test_delete_for_good_asks_first(staff_client):
    post = draft_post(title="Going for good")
    Post.objects.filter(pk=post.pk).update(deleted_at=timezone.now())
    trash_page = staff_client.get(reverse("admin:content_post_trash")).content.decode()
    confirm_url = reverse("admin:content_post_purge_confirm", args=[post.pk])
    assert confirm_url in trash_page and 'value="purge"' not in trash_page
    confirm = staff_client.get(confirm_url).content.decode()
    assert "cannot be undone" in confirm and 'value="purge"' in confirm
    assert Post.objects.filter(pk=post.pk).exists()  # asking changes nothing
    alive = draft_post()
    response = staff_client.get(reverse("admin:content_post_purge_confirm", args=[alive.pk]), follow=True)
    assert "Only posts in the trash can be deleted for good." in messages_of(response)
