"""Users, posts and request helpers shared by the workflow tests."""

import importlib

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from content.editorial import workflow
from content.models import Post
from content.tests.factories import PostFactory, SectionFactory


def ensure_groups() -> None:
    """Create Editors and Publishers as their data migration does: a transactional test's flush
    empties every table, the migration's groups included."""
    from django.apps import apps

    migration = importlib.import_module("content.migrations.0005_editor_publisher_groups")
    migration.create_groups(apps, None)


def make_user(django_user_model, name: str, group: str | None = None, **extra):
    if group and not Group.objects.filter(name=group).exists():
        ensure_groups()
    user = django_user_model.objects.create_user(name, f"{name}@example.org", "pass-word-123", is_staff=True, **extra)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return django_user_model.objects.get(pk=user.pk)  # fresh: no cached permissions


@pytest.fixture
def editor(django_user_model):
    return make_user(django_user_model, "edna", "Editors")


@pytest.fixture
def publisher(django_user_model):
    return make_user(django_user_model, "paul", "Publishers")


def client_for(client, user):
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def editor_client(client, editor):
    return client_for(client, editor)


@pytest.fixture
def publisher_client(client, publisher):
    return client_for(client, publisher)


def draft_post(sections: int = 2, **fields) -> Post:
    """An unpublished post in Planning with valid text sections."""
    fields.setdefault("published", False)
    post = PostFactory(**fields)
    for number in range(1, sections + 1):
        SectionFactory(post=post, position=number)
    return post


def finish_stages_before(post: Post, stage_key: str, *, finish_current: bool = False) -> Post:
    """Put the post at ``stage_key`` with every earlier sub-stage done (test set-up only)."""
    data = {}
    for stage in workflow.STAGES:
        if stage.key == stage_key and not finish_current:
            break
        for sub in stage.substages:
            data[sub.key] = {"status": "done"}
        if stage.key == stage_key:
            break
    Post.objects.filter(pk=post.pk).update(workflow_stage=stage_key, stage_data=data)
    post.refresh_from_db()
    return post


def seq_of(post: Post) -> int:
    post.refresh_from_db()
    return workflow.read_state(post.workflow_stage, post.stage_data).seq


def workflow_url(post_or_id) -> str:
    return reverse("admin:content_post_workflow", args=[getattr(post_or_id, "pk", post_or_id)])


def step(client, post: Post, action: str, *, kind: str = "transition", follow: bool = True, **data):
    """POST one workflow step from the panel (with the current seq unless given)."""
    payload = {"kind": kind, "action": action, "seq": data.pop("seq", None)}
    if payload["seq"] is None:
        payload["seq"] = seq_of(post)
    payload.update(data)
    return client.post(workflow_url(post), payload, follow=follow)


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]] if response.context else []
