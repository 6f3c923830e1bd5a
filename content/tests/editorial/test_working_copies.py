"""A published post changes only through publishing: saves go to its working copy, readers keep the live version."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from content.editorial import publishing, revisions, services, working_copies
from content.editorial.workflow_steps import WorkflowDenied
from content.models import Post, WorkingCopy
from content.site.content_state import content_state
from content.tests.editorial.test_admin import change_form_data, section_row
from content.tests.editorial.workflow_helpers import client_for, make_user, messages_of
from content.tests.factories import PostFactory, SectionFactory, TagFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def live_post():
    post = PostFactory(title="Live title", slug="live-title", tags=[TagFactory(name="harbours")])
    SectionFactory(post=post, position=1, title="First", content="First words.")
    SectionFactory(post=post, position=2, title="Second", content="Second words.")
    return post


def as_form_value(value):
    if value is None:
        return ""
    return json.dumps(value) if isinstance(value, (dict, list)) else value


def edit(client, post, *, rows=None, **values):
    """Save the change form as the page shows it (the working copy's content when there is one)."""
    page = client.get(reverse("admin:content_post_change", args=[post.pk]))
    form = page.context["adminform"].form
    formset = page.context["inline_admin_formsets"][0].formset
    data = change_form_data(post, [], version=form.initial["version"], title=form.initial["title"])
    if rows is None:
        rows = [section_row(n, section) for n, section in enumerate(formset.get_queryset())]
        rows += [
            section_row(len(rows) + n, **{k: as_form_value(v) for k, v in extra.items() if k != "from_working_copy"})
            for n, extra in enumerate(formset.initial_extra or [])
        ]
    data.update({"sections-TOTAL_FORMS": len(rows), "sections-INITIAL_FORMS": len(formset.get_queryset())})
    for row in rows:
        data.update(row)
    data.update(values)
    return client.post(reverse("admin:content_post_change", args=[post.pk]), data)


def public_state(client, post):
    return (
        client.get(post.get_absolute_url()).content,
        client.get("/feed/").content,
        client.get("/search/", {"q": "live"}).content.count(b"Live title"),
        content_state(),
    )


def test_an_editors_save_of_a_live_post_changes_nothing_readers_see(editor_client, live_post):
    before = public_state(Client(), live_post)
    response = edit(editor_client, live_post, title="Edited title", tags="harbours, lighthouses")
    assert response.status_code == 302, response.context and response.context["errors"]
    assert public_state(Client(), live_post) == before
    live_post.refresh_from_db()
    assert live_post.title == "Live title" and live_post.version == 1
    copy = WorkingCopy.objects.get(post=live_post)
    assert copy.fields["title"] == "Edited title" and copy.tags == ["harbours", "lighthouses"]
    assert copy.edits[-1]["name"] == "edna"
    # The change page shows the working copy, with what changed since the live version.
    page = editor_client.get(reverse("admin:content_post_change", args=[live_post.pk])).content.decode()
    assert 'value="Edited title"' in page and "Unpublished changes" in page
    changes = editor_client.get(reverse("admin:content_post_changes", args=[live_post.pk])).content.decode()
    assert "Live title" in changes and "Edited title" in changes and "lighthouses" in changes


def test_sections_added_moved_and_deleted_in_a_working_copy_survive_later_saves(editor_client, live_post):
    first, second = live_post.sections.order_by("position")
    rows = [
        section_row(0, first, position=2),
        section_row(1, second, DELETE="on"),
        section_row(2, title="Brand new", content="New words.", position=1),
    ]
    assert edit(editor_client, live_post, rows=rows).status_code == 302
    assert edit(editor_client, live_post, summary="Touched again.").status_code == 302  # untouched rows kept
    draft = working_copies.load(Post.objects.get(pk=live_post.pk))
    assert [(section.title, section.position, section.pk) for section in draft.sections] == [
        ("Brand new", 1, None),
        ("First", 2, first.pk),
    ]
    assert list(live_post.sections.order_by("position").values_list("title", flat=True)) == ["First", "Second"]


def test_publishing_applies_the_working_copy_in_one_step_and_records_who(
    editor_client, client, live_post, django_user_model
):
    publisher = make_user(django_user_model, "paula", "Publishers")
    first, second = live_post.sections.order_by("position")
    rows = [section_row(0, first, title="First, edited"), section_row(1, second, DELETE="on")]
    edit(editor_client, live_post, rows=rows, title="Published title", tags="lighthouses")
    version = WorkingCopy.objects.get(post=live_post).version
    step_url = reverse("admin:content_post_changes_step", args=[live_post.pk])
    assert "Refused" in " ".join(
        messages_of(editor_client.post(step_url, {"action": "publish_changes", "version": version}, follow=True))
    )
    editor_client.post(step_url, {"action": "submit_changes", "version": version})
    publisher_client = client_for(client, publisher)
    publisher_client.post(step_url, {"action": "approve_changes", "version": version})
    response = publisher_client.post(step_url, {"action": "publish_changes", "version": version}, follow=True)
    assert "readers see them now" in " ".join(messages_of(response))
    live_post.refresh_from_db()
    assert live_post.title == "Published title"
    assert list(live_post.sections.values_list("title", flat=True)) == ["First, edited"]
    assert sorted(live_post.tags.names()) == ["lighthouses"]
    assert not WorkingCopy.objects.filter(post=live_post).exists()
    assert "Published title" in Client().get(live_post.get_absolute_url()).content.decode()
    revision = revisions.latest_revision(live_post)
    assert revision.user == publisher and "edna" in revision.comment
    actions = list(live_post.transitions.values_list("action", flat=True))
    assert actions[:3] == ["publish_changes", "approve_changes", "submit_changes"]


def test_preview_shows_the_working_copy_to_staff_only(editor_client, live_post):
    edit(editor_client, live_post, title="Previewed title")
    url = reverse("admin:content_post_changes_preview", args=[live_post.pk])
    response = editor_client.get(url)
    assert response.status_code == 200 and "Previewed title" in response.content.decode()
    assert "private" in response["Cache-Control"] and response["X-Robots-Tag"] == "noindex"
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]


def test_discarding_shows_the_live_version_again(editor_client, live_post):
    edit(editor_client, live_post, title="To be discarded")
    version = WorkingCopy.objects.get(post=live_post).version
    editor_client.post(
        reverse("admin:content_post_changes_step", args=[live_post.pk]),
        {"action": "discard_changes", "version": version},
    )
    assert not WorkingCopy.objects.filter(post=live_post).exists()
    page = editor_client.get(reverse("admin:content_post_change", args=[live_post.pk])).content.decode()
    assert 'value="Live title"' in page and "Unpublished changes" not in page


def test_scheduled_changes_go_live_at_their_time(editor_client, publisher, live_post):
    edit(editor_client, live_post, title="Scheduled title")
    copy = WorkingCopy.objects.get(post=live_post)
    publishing.take_step(live_post.pk, "submit_changes", publisher, version=copy.version)
    publishing.take_step(live_post.pk, "approve_changes", publisher, version=copy.version)
    when = timezone.now() + timedelta(hours=1)
    publishing.take_step(live_post.pk, "schedule_changes", publisher, version=copy.version, publish_at=when)
    assert publishing.publish_due_changes(now=timezone.now()) == []
    live_post.refresh_from_db()
    assert live_post.title == "Live title"
    assert publishing.publish_due_changes(now=when + timedelta(seconds=1)) == [live_post.pk]
    live_post.refresh_from_db()
    assert live_post.title == "Scheduled title"


def test_a_changed_address_answers_301_from_the_old_one(editor_client, publisher, live_post):
    edit(editor_client, live_post, slug="new-address")
    copy = WorkingCopy.objects.get(post=live_post)
    for action in ("submit_changes", "approve_changes", "publish_changes"):
        publishing.take_step(live_post.pk, action, publisher, version=copy.version)
    response = Client().get("/posts/live-title/")
    assert response.status_code == 301 and response["Location"] == "/posts/new-address/"
    assert Client().get("/posts/new-address/").status_code == 200


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ({"action": "publish_changes"}, "Only Publishers"),
        ({"action": "explode"}, "no step called"),
        ({"action": "submit_changes", "version": "999"}, "edited since this page was loaded"),
        ({"action": "approve_changes"}, "Only Publishers"),
    ],
)
def test_forged_steps_are_refused_and_change_nothing(editor_client, live_post, data, reason):
    edit(editor_client, live_post, title="Pending")
    url = reverse("admin:content_post_changes_step", args=[live_post.pk])
    response = editor_client.post(url, data, follow=True)
    assert response.status_code == 200
    assert any(reason in message for message in messages_of(response))
    assert WorkingCopy.objects.get(post=live_post).stage == WorkingCopy.Stage.EDITING
    live_post.refresh_from_db()
    assert live_post.title == "Live title"


def test_steps_on_a_post_without_changes_or_in_the_trash_are_refused(publisher, live_post):
    with pytest.raises(WorkflowDenied, match="no unpublished changes"):
        publishing.take_step(live_post.pk, "publish_changes", publisher, version=None)
    Post.objects.filter(pk=live_post.pk).update(deleted_at=timezone.now())
    with pytest.raises(WorkflowDenied):
        publishing.take_step(live_post.pk, "discard_changes", publisher, version=None)


def test_a_stale_form_is_refused_not_merged(editor_client, live_post):
    page = editor_client.get(reverse("admin:content_post_change", args=[live_post.pk]))
    stale_version = page.context["adminform"].form.initial["version"]
    edit(editor_client, live_post, title="First editor")
    response = edit(editor_client, live_post, title="Second editor", version=stale_version)
    assert response.status_code == 200 and "Someone else saved this post" in response.content.decode()
    assert WorkingCopy.objects.get(post=live_post).fields["title"] == "First editor"


def test_publishing_keeps_what_the_copy_does_not_hold(editor_client, publisher, live_post):
    first = live_post.sections.order_by("position").first()
    created = first.created_at
    edit(editor_client, live_post, title="Kept dates")
    copy = WorkingCopy.objects.get(post=live_post)
    for action in ("submit_changes", "approve_changes", "publish_changes"):
        publishing.take_step(live_post.pk, action, publisher, version=copy.version)
    first.refresh_from_db()
    assert first.created_at == created


def test_reverting_a_live_post_restores_into_its_working_copy(editor_client, live_post):
    services.save_post(live_post, None, comment="Published.", update_fields=["title"], live=True)
    revision = revisions.latest_revision(live_post)  # the live version as it was published
    live_post.title = "Published later"
    services.save_post(live_post, None, comment="Published again.", update_fields=["title"], live=True)
    url = reverse("admin:content_post_revert", args=[live_post.pk])
    response = editor_client.post(url, {"revision": revision.pk}, follow=True)
    assert any("into its unpublished changes" in message for message in messages_of(response))
    live_post.refresh_from_db()
    assert live_post.title == "Published later"
    assert WorkingCopy.objects.get(post=live_post).fields["title"] == "Live title"


def test_a_new_author_of_a_live_post_waits_for_publishing_too(editor_client, editor, live_post):
    edit(editor_client, live_post, author=str(editor.pk))
    live_post.refresh_from_db()
    assert live_post.author_id is None
    assert WorkingCopy.objects.get(post=live_post).fields["author_id"] == editor.pk
