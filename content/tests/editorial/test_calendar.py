"""The publishing calendar: what a month shows, missed schedules in plain words, rescheduling through the
workflow's steps (Publishers only), a constant query budget, and bad months a clear 400."""

from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from content.editorial import workflow, workflow_services
from content.editorial.workflow import LATE_MARK
from content.models import Post, WorkflowTransition, WorkingCopy
from content.tests.editorial.workflow_helpers import draft_post, finish_stages_before, messages_of, seq_of
from content.tests.factories import PostFactory

pytestmark = pytest.mark.django_db

CALENDAR = "admin:content_post_calendar"
RESCHEDULE = "admin:content_post_reschedule"


def at(day: int, hour: int = 9, *, months_ahead: int = 1) -> datetime:
    """A time in a month to come (the calendar's month), in the current time zone."""
    today = timezone.localdate()
    month = today.month + months_ahead
    year, month = today.year + (month - 1) // 12, (month - 1) % 12 + 1
    return timezone.make_aware(datetime(year, month, day, hour, 0))


def month_of(moment: datetime) -> dict:
    return {"year": moment.year, "month": moment.month}


def scheduled(title: str, when: datetime, publisher) -> Post:
    post = finish_stages_before(draft_post(title=title), "publishing")
    if when > timezone.now():
        workflow_services.apply_transition(post.pk, "schedule", publisher, seq=seq_of(post), publish_at=when)
    else:  # a schedule that was missed: set as the worker would have found it
        Post.objects.filter(pk=post.pk).update(publish_at=when)
    post.refresh_from_db()
    return post


def published(title: str, when: datetime, *, late: bool = False) -> Post:
    notes = f"{LATE_MARK}: 7 min after its scheduled time" if late else ""
    post = PostFactory(title=title, published_at=when, stage_data={"publish": {"status": "done", "notes": notes}})
    post.workflow_stage = "publishing"
    post.save()
    return post


def scheduled_changes(title: str, when: datetime, *, stage=WorkingCopy.Stage.APPROVED) -> WorkingCopy:
    post = PostFactory(title=f"{title} (live)", published_at=timezone.now() - timedelta(days=30))
    return WorkingCopy.objects.create(post=post, fields={"title": title}, version=3, stage=stage, publish_at=when)


def calendar_page(client, **query):
    return client.get(reverse(CALENDAR), query)


def entries(html: str) -> int:
    return html.count('class="calendar-entry ')


def reschedule(client, kind, post_id, token, when, **extra):
    data = {"kind": kind, "post": post_id, "token": token, "publish_at": when.strftime("%Y-%m-%dT%H:%M"), **extra}
    return client.post(reverse(RESCHEDULE), data, follow=True)


# --- what a month shows ---


def test_a_month_shows_schedules_publications_and_changes_in_plain_words(publisher_client, publisher):
    scheduled("Owls at dawn", at(3, 7), publisher)
    published("Larks at noon", at(5, 12))
    published("Nightjars", at(5, 21), late=True)
    scheduled_changes("Herons, revised", at(9, 8))
    scheduled_changes("Egrets, edited since", at(10, 8), stage=WorkingCopy.Stage.EDITING)
    scheduled("Next month", at(20, 9, months_ahead=2), publisher)
    html = calendar_page(publisher_client, **month_of(at(1))).content.decode()
    for title in ("Owls at dawn", "Larks at noon", "Nightjars", "Herons, revised", "Egrets, edited since"):
        assert title in html
    assert "Next month" not in html
    assert "Scheduled</span>" in html and "Published</span>" in html
    assert f"{LATE_MARK}: the schedule was missed" in html
    assert "Changes scheduled" in html
    assert "They will not be published on their own: they were edited since, and are being edited." in html
    assert html.count('name="publish_at"') == 2  # the post's schedule and the approved changes
    assert 'draggable="true"' in html
    first = at(1)
    assert f'<h2 id="calendar-month">{first:%B %Y}</h2>' in html


def test_missed_schedules_are_named_and_listed_whatever_the_month(publisher_client, publisher):
    missed = scheduled("Forgotten owls", timezone.now() - timedelta(days=40), publisher)
    scheduled_changes("Forgotten changes", timezone.now() - timedelta(hours=3))
    scheduled("Sent back", at(2), publisher)
    Post.objects.filter(title="Sent back").update(workflow_stage="review")
    html = calendar_page(publisher_client).content.decode()  # this month
    assert "Missed schedules: due in the past, not published" in html
    due = timezone.localtime(missed.publish_at)
    assert f"Missed: due {due.day} {due:%B %Y at %H:%M}, and not published" in html
    assert "Missed: changes due" in html
    html = calendar_page(publisher_client, **month_of(at(1))).content.decode()
    assert "It will not be published on its own: the post is in Review, not Publishing." in html


def test_the_calendar_is_read_only_for_editors(editor_client, publisher):
    scheduled("Owls at dawn", at(3), publisher)
    html = calendar_page(editor_client, **month_of(at(1))).content.decode()
    assert "Owls at dawn" in html and "read-only for you" in html
    assert 'name="publish_at"' not in html and "draggable" not in html and "calendar.js" not in html
    post = Post.objects.get(title="Owls at dawn")
    response = editor_client.post(reverse(RESCHEDULE), {"kind": "post", "post": post.pk, "token": seq_of(post)})
    assert response.status_code == 403


def test_the_query_budget_does_not_grow_with_posts(publisher_client, publisher):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert calendar_page(publisher_client, **month_of(at(1))).status_code == 200
        return len(captured)

    scheduled("One", at(2), publisher)
    few = queries()
    for day in range(3, 23):
        scheduled(f"Scheduled {day}", at(day), publisher)
        published(f"Published {day}", at(day, 15))
        scheduled_changes(f"Changes {day}", at(day, 18))
        scheduled(f"Missed {day}", timezone.now() - timedelta(days=day), publisher)
    many = queries()
    assert many == few <= 10
    assert entries(calendar_page(publisher_client, **month_of(at(1))).content.decode()) == 61 + 20


# --- rescheduling ---


def test_a_publisher_reschedules_a_post_through_the_schedule_step(publisher_client, publisher):
    post = scheduled("Owls at dawn", at(3, 7), publisher)
    response = reschedule(publisher_client, "post", post.pk, seq_of(post), at(12, 7), **month_of(at(3)))
    post.refresh_from_db()
    assert post.publish_at == at(12, 7) and not post.published
    step = WorkflowTransition.objects.filter(post=post, action="schedule").first()
    assert step.user == publisher and step.note == "Rescheduled from the calendar."
    state = workflow.read_state(post.workflow_stage, post.stage_data)
    assert state.substage("schedule").notes == f"Scheduled for {at(12, 7).isoformat()}."
    assert any("rescheduled. It is now due on" in message for message in messages_of(response))
    assert response.redirect_chain[-1][0].endswith(f"month={at(12).month}#entry-post-{post.pk}")


def test_a_missed_schedule_gets_a_new_time(publisher_client, publisher):
    post = scheduled("Forgotten", timezone.now() - timedelta(days=2), publisher)
    reschedule(publisher_client, "post", post.pk, seq_of(post), at(1, 10))
    post.refresh_from_db()
    assert post.publish_at == at(1, 10)


def test_unpublished_changes_are_rescheduled_in_one_transaction(publisher_client, publisher):
    copy = scheduled_changes("Herons, revised", at(9, 8))
    response = reschedule(publisher_client, "changes", copy.post_id, copy.version, at(11, 8))
    copy.refresh_from_db()
    assert copy.publish_at == at(11, 8) and copy.stage == WorkingCopy.Stage.APPROVED and copy.version == 3
    actions = list(WorkflowTransition.objects.filter(post_id=copy.post_id).values_list("action", flat=True))
    assert sorted(actions) == ["schedule_changes", "unschedule_changes"]
    assert any("Its unpublished changes are now due" in message for message in messages_of(response))

    # A time in the past is refused: the old schedule stays, the cancel step is undone with it.
    response = reschedule(publisher_client, "changes", copy.post_id, copy.version, timezone.now() - timedelta(days=1))
    copy.refresh_from_db()
    assert copy.publish_at == at(11, 8)
    assert WorkflowTransition.objects.filter(post_id=copy.post_id).count() == 2
    assert messages_of(response) == ["Not rescheduled: Give a publication time in the future to schedule the changes."]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"token": "0"}, "changed since this page was loaded"),
        ({"token": ""}, "changed since this page was loaded"),
        ({"publish_at": "yesterday"}, "Give the publication time as a date and time"),
        ({"publish_at": "2030-02-30T09:00"}, "Give the publication time as a date and time"),
        ({"publish_at": "2001-01-01T09:00"}, "Give a publication time in the future"),
        ({"kind": "everything"}, "Only posts and unpublished changes can be rescheduled."),
        ({"post": "nine"}, "Say which post to reschedule."),
        ({"post": "999999"}, "does not exist or is in the trash"),
        ({"year": "0", "month": "\x00"}, ""),
    ],
)
def test_a_refused_reschedule_changes_nothing_and_says_why(publisher_client, publisher, change, reason):
    post = scheduled("Owls at dawn", at(3, 7), publisher)
    data = {"kind": "post", "post": post.pk, "token": seq_of(post), "publish_at": "2999-01-01T09:00", **change}
    response = publisher_client.post(reverse(RESCHEDULE), data, follow=True)
    assert response.status_code == 200
    post.refresh_from_db()
    if reason:
        assert post.publish_at == at(3, 7)
        assert reason in messages_of(response)[0]


def test_a_get_of_the_reschedule_address_is_refused(publisher_client):
    assert publisher_client.get(reverse(RESCHEDULE)).status_code == 405


# --- the month asked for ---


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ({"year": "2026", "month": "13"}, "“13” is not a month the calendar can show: give a month from 1 to 12"),
        ({"year": "2026", "month": "0"}, "give a month from 1 to 12"),
        ({"year": "2026", "month": "-1"}, "“-1” is not a month"),
        ({"year": "twenty", "month": "3"}, "“twenty” is not a year the calendar can show: give a year from 1900"),
        ({"year": "99999999999999999999", "month": "3"}, "is not a year"),
        ({"year": "10000", "month": "1"}, "is not a year"),
        ({"year": "1899", "month": "12"}, "is not a year"),
        ({"year": "٢٠٢٦", "month": "3"}, "is not a year"),
        ({"year": "2026\x00", "month": "3"}, "is not a year"),
        ({"month": "3"}, "No year was given"),
        ({"year": "2026"}, "No month was given"),
    ],
)
def test_a_bad_month_is_a_clear_400(editor_client, query, words):
    response = calendar_page(editor_client, **query)
    assert response.status_code == 400
    html = response.content.decode()
    assert words in html and "Show this month" in html


def test_the_first_and_last_months_have_no_link_beyond(editor_client):
    html = calendar_page(editor_client, year="1900", month="1").content.decode()
    assert 'rel="prev"' not in html and 'rel="next"' in html
    html = calendar_page(editor_client, year="2999", month="12").content.decode()
    assert 'rel="next"' not in html and 'rel="prev"' in html


def test_the_calendar_is_linked_from_the_posts_list_and_the_index(editor_client):
    url = reverse(CALENDAR)
    assert f'href="{url}"' in editor_client.get(reverse("admin:content_post_changelist")).content.decode()
    assert f'href="{url}"' in editor_client.get(reverse("admin:index")).content.decode()


def test_people_who_may_not_see_posts_do_not_see_the_calendar(client, django_user_model):
    from content.tests.editorial.workflow_helpers import client_for, make_user

    staff = client_for(client, make_user(django_user_model, "sam"))
    assert calendar_page(staff).status_code == 403
    assert reverse(CALENDAR) not in staff.get(reverse("admin:index")).content.decode()
