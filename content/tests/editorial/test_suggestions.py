"""LLM answers are suggestions: shown on the change page, accepted (as edited), picked or dismissed by an editor."""

import pytest
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from content.editorial import suggestions
from content.models import Post, Suggestion, WorkingCopy
from content.tests.editorial.test_admin import change_form_data, section_row
from content.tests.editorial.workflow_helpers import messages_of
from content.tests.factories import PostFactory, SectionFactory

pytestmark = pytest.mark.django_db


def suggest(post, field, value, section=None):
    return suggestions.offer(post.pk, section.pk if section else None, None, "test", field, value)


def decide(client, post, suggestion, **data):
    url = reverse("admin:content_post_suggestion", args=[post.pk, suggestion.pk])
    return client.post(url, data, follow=True)


def test_title_ideas_are_a_list_to_pick_from(staff_client):
    post = PostFactory(title="Old title", published=False)
    idea = suggest(post, "title", ["On tea", "Tea time"])
    page = staff_client.get(reverse("admin:content_post_change", args=[post.pk])).content.decode()
    assert 'type="radio" name="text" value="On tea"' in page and "{&quot;titles&quot;" not in page
    decide(staff_client, post, idea, action="accept", text="Tea time")
    post.refresh_from_db()
    assert post.title == "Tea time"
    idea.refresh_from_db()
    assert (idea.status, idea.value, idea.decided_by) == ("accepted", "Tea time", staff_client.user)


def test_dismissing_changes_nothing(staff_client):
    post = PostFactory(summary="Kept.", published=False)
    offered = suggest(post, "summary", "Replaced?")
    response = decide(staff_client, post, offered, action="dismiss")
    assert "Suggestion dismissed." in messages_of(response)
    post.refresh_from_db()
    assert (post.summary, post.version) == ("Kept.", 1)
    assert Suggestion.objects.get(pk=offered.pk).status == "dismissed"


def test_a_suggestion_for_a_live_post_lands_in_its_working_copy_only(staff_client):
    post = PostFactory(summary="Live summary.")
    decide(staff_client, post, suggest(post, "summary", "Suggested summary."), action="accept")
    post.refresh_from_db()
    assert post.summary == "Live summary." and post.version == 1
    assert WorkingCopy.objects.get(post=post).fields["summary"] == "Suggested summary."


def test_a_task_finishing_under_an_open_form_does_not_block_its_save(staff_client):
    post = PostFactory(title="Being edited", published=False)
    SectionFactory(post=post, position=1)
    suggest(post, "summary", "Arrived while typing.")  # what a finished LLM task does
    rows = [section_row(0, section) for section in post.sections.all()]
    response = staff_client.post(
        reverse("admin:content_post_change", args=[post.pk]), change_form_data(post, rows, title="Typed")
    )
    assert response.status_code == 302
    assert Post.objects.get(pk=post.pk).title == "Typed"


@pytest.mark.parametrize(
    ("field", "text", "reason"),
    [
        ("post_snippets", '{"twitter": NaN}', "JSON object"),
        ("post_snippets", "[" * 5000 + "]" * 5000, "JSON object"),
        ("post_snippets", '["a list"]', "JSON object of texts"),
        ("summary", "x" * 501, "at most 500 characters"),
        ("summary", "bad\x01text", "control character"),
        ("summary", "   ", "empty"),
        ("title", None, "Pick one"),
    ],
)
def test_bad_edits_are_refused_naming_the_field(staff_client, field, text, reason):
    post = PostFactory(summary="Kept.", published=False)
    offered = suggest(post, field, ["a", "b"] if field == "title" else "value")
    data = {"action": "accept"} if text is None else {"action": "accept", "text": text}
    response = decide(staff_client, post, offered, **data)
    assert any(reason in message for message in messages_of(response)), messages_of(response)
    assert Suggestion.objects.get(pk=offered.pk).status == "pending"
    assert Post.objects.get(pk=post.pk).version == 1


def test_forged_or_stale_decisions_are_refused(staff_client):
    post, other = PostFactory(published=False), PostFactory(published=False)
    theirs = suggest(other, "summary", "Not yours.")
    assert any("does not exist" in m for m in messages_of(decide(staff_client, post, theirs, action="accept")))
    mine = suggest(post, "summary", "Once.")
    decide(staff_client, post, mine, action="dismiss")
    assert any("already dismissed" in m for m in messages_of(decide(staff_client, post, mine, action="accept")))
    assert any("Accept or Dismiss" in m for m in messages_of(decide(staff_client, post, suggest(post, "summary", "x"))))
    response = staff_client.post(reverse("admin:content_post_suggestion", args=[post.pk, "nonsense"]), follow=True)
    assert response.status_code == 200


def test_a_suggestion_for_a_deleted_section_is_refused_plainly(staff_client):
    post = PostFactory(published=False)
    section = SectionFactory(post=post, position=1)
    offered = suggest(post, "keywords", ["tea"], section=section)
    section.delete()
    response = decide(staff_client, post, offered, action="accept")
    assert any("no longer exists" in message for message in messages_of(response))


def test_llm_actions_start_from_the_change_page(staff_client, settings):
    from django.core.management import call_command

    call_command("loaddata", "prompts", verbosity=0)
    settings.LLM_MODEL = "openai/test-model"
    post = PostFactory(published=False)
    response = staff_client.post(
        reverse("admin:content_post_assist", args=[post.pk]), {"use": "post_summary"}, follow=True
    )
    assert any("queued" in message for message in messages_of(response))
    assert DBTaskResult.objects.count() == 1
    response = staff_client.post(reverse("admin:content_post_assist", args=[post.pk]), {"use": "nope"}, follow=True)
    assert any("no such post or LLM action" in message for message in messages_of(response))
