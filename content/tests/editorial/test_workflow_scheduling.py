"""Scheduled publishing: the command, the task, idempotency, the gate, concurrent runners."""

import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from content.editorial import scheduling, workflow, workflow_services
from content.editorial.tasks import publish_scheduled_posts
from content.models import Post, WorkflowTransition
from content.tests.editorial.workflow_helpers import draft_post, finish_stages_before, seq_of
from content.tests.factories import ImageSectionFactory


def scheduled_post(publisher, minutes_from_now: int = 5, **fields) -> Post:
    post = finish_stages_before(draft_post(**fields), "publishing")
    when = timezone.now() + timedelta(minutes=minutes_from_now)
    workflow_services.apply_transition(post.pk, "schedule", publisher, seq=seq_of(post), publish_at=when)
    post.refresh_from_db()
    return post


def make_due(post: Post) -> None:
    Post.objects.filter(pk=post.pk).update(publish_at=timezone.now() - timedelta(seconds=1))


@pytest.mark.django_db
def test_command_publishes_due_posts_once_and_records_published_at(publisher, capsys):
    due = scheduled_post(publisher, title="Due")
    later = scheduled_post(publisher, title="Later", minutes_from_now=60)
    make_due(due)
    call_command("publish_scheduled")
    assert "Published 1 of 1 due posts." in capsys.readouterr().out
    due.refresh_from_db()
    later.refresh_from_db()
    assert due.published and due.published_at is not None and due.publish_at is None
    assert not later.published and later.publish_at is not None
    first_published_at = due.published_at
    call_command("publish_scheduled")
    assert "Published 0 of 0 due posts." in capsys.readouterr().out
    due.refresh_from_db()
    assert due.published_at == first_published_at
    assert WorkflowTransition.objects.filter(post=due, action="scheduled_publish").count() == 1
    assert Post.objects.live().filter(pk=due.pk).exists()


@pytest.mark.django_db
def test_task_publishes_due_posts(publisher):
    post = scheduled_post(publisher)
    make_due(post)
    assert publish_scheduled_posts.call() == [post.pk]
    assert publish_scheduled_posts.call() == []
    post.refresh_from_db()
    assert post.published


@pytest.mark.django_db(transaction=True)
def test_scheduling_enqueues_the_task_for_the_publication_time(publisher):
    from django_tasks_db.models import DBTaskResult

    post = scheduled_post(publisher, minutes_from_now=30)
    queued = DBTaskResult.objects.get(task_path="content.editorial.tasks.publish_scheduled_posts")
    assert abs(queued.run_after - post.publish_at) < timedelta(seconds=1)


@pytest.mark.django_db
def test_scheduled_post_that_fails_the_gate_is_not_published(publisher):
    post = scheduled_post(publisher, sections=1)
    ImageSectionFactory(post=post, position=2, image__alt_text="")  # added after scheduling
    make_due(post)
    assert scheduling.publish_due_posts() == []
    post.refresh_from_db()
    assert not post.published and post.publish_at is None
    state = workflow.read_state(post.workflow_stage, post.stage_data)
    assert state.substage("schedule").status == "blocked"
    assert "Images without alt text" in state.substage("schedule").notes
    assert scheduling.due_post_ids() == []


@pytest.mark.django_db
def test_trashed_or_withdrawn_posts_are_not_published(publisher):
    trashed = scheduled_post(publisher)
    withdrawn = scheduled_post(publisher)
    make_due(trashed)
    make_due(withdrawn)
    Post.objects.filter(pk=trashed.pk).update(deleted_at=timezone.now())
    Post.objects.filter(pk=withdrawn.pk).update(workflow_stage="review")
    assert scheduling.publish_due_posts() == []
    assert not Post.objects.filter(published=True).exists()


@pytest.mark.django_db(transaction=True)
def test_a_post_locked_by_another_runner_is_skipped_not_published_twice(publisher):
    post = scheduled_post(publisher)
    make_due(post)
    locked, release = threading.Event(), threading.Event()

    def other_runner():
        with transaction.atomic():
            Post.objects.select_for_update().get(pk=post.pk)
            locked.set()
            release.wait(10)
            scheduling.publish_scheduled_post(post.pk)  # nested: same transaction, publishes
        connection.close()

    thread = threading.Thread(target=other_runner)
    thread.start()
    assert locked.wait(10)
    assert scheduling.publish_scheduled_post(post.pk) is False  # skipped: the row is locked
    assert thread.is_alive()  # ...without waiting for the other runner's transaction
    release.set()
    thread.join(10)
    post.refresh_from_db()
    assert post.published
    assert scheduling.publish_scheduled_post(post.pk) is False
    assert WorkflowTransition.objects.filter(post=post, action="scheduled_publish").count() == 1


@pytest.mark.django_db
def test_a_missed_schedule_is_published_as_soon_as_possible_and_flagged(publisher):
    from content.editorial.workflow_selectors import stage_summary

    post = scheduled_post(publisher, title="Missed")
    Post.objects.filter(pk=post.pk).update(publish_at=timezone.now() - timedelta(minutes=30))  # worker was down
    post.refresh_from_db()
    assert "overdue" in stage_summary(post)
    assert scheduling.publish_due_posts() == [post.pk]
    post.refresh_from_db()
    assert post.published and "published late (the schedule was missed)" in stage_summary(post)
    note = WorkflowTransition.objects.filter(post=post, action="scheduled_publish").get().note
    assert note.startswith("Published late: 30 min after its scheduled time")
    on_time = scheduled_post(publisher, title="On time")
    make_due(on_time)
    scheduling.publish_due_posts()
    on_time.refresh_from_db()
    assert "late" not in stage_summary(on_time)
