"""LLM assistance end to end: admin action -> task -> worker -> model over HTTP -> post changed."""

import json

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from content.models import Suggestion, WorkingCopy
from content.tests.factories import ImageSectionFactory, PostFactory, SectionFactory
from llm.models import LLMInteraction, LLMLog
from testing.llm_provider import completion, error

CHANGELIST = "/admin/content/post/"


@pytest.fixture
def prompts(db):
    call_command("loaddata", "prompts", verbosity=0)


def run_worker():
    call_command("db_worker", queue_name="*", batch=True, reload=False, startup_delay=False, interval=0, verbosity=0)


@pytest.mark.django_db(transaction=True)
def test_generate_summary_action_end_to_end(staff_client, llm_server, prompts):
    post = PostFactory(summary="Old summary.")
    SectionFactory(post=post, content="Cats sleep a lot.")
    llm_server.reply(completion("Cats sleep, and this post explains why."))

    response = staff_client.post(CHANGELIST, {"action": "llm_post_summary", "_selected_action": [post.pk]}, follow=True)

    assert "1 request(s) queued" in response.content.decode()
    task = DBTaskResult.objects.get()
    assert task.status == "READY" and post.summary == "Old summary."
    run_worker()
    task.refresh_from_db()
    assert task.status == "SUCCESSFUL"
    post.refresh_from_db()
    interaction = LLMInteraction.objects.get()
    assert interaction.task_id == str(task.id) and interaction.user_id == staff_client.user.pk
    assert LLMLog.objects.get().context["task"] == str(task.id)
    assert "Cats sleep a lot." in llm_server.requests[0]["json"]["messages"][0]["content"]
    # The answer is a suggestion: the post, its version (an open form stays savable) and readers are untouched.
    assert (post.summary, post.version) == ("Old summary.", 1)
    suggestion = Suggestion.objects.get(post=post)
    assert (suggestion.field, suggestion.value, suggestion.interaction_id) == (
        "summary",
        "Cats sleep, and this post explains why.",
        interaction.pk,
    )
    change_page = staff_client.get(reverse("admin:content_post_change", args=[post.pk])).content.decode()
    assert "Cats sleep, and this post explains why." in change_page and "LLM suggestions" in change_page
    # Accepted as edited, it goes into the published post's working copy, by the editor who accepted it.
    url = reverse("admin:content_post_suggestion", args=[post.pk, suggestion.pk])
    staff_client.post(url, {"action": "accept", "text": "Cats sleep; here is why."})
    suggestion.refresh_from_db()
    assert suggestion.status == "accepted" and suggestion.decided_by == staff_client.user
    copy = WorkingCopy.objects.get(post=post)
    assert copy.fields["summary"] == "Cats sleep; here is why."
    assert copy.fields["llm_metadata"]["summary"]["interaction"] == interaction.pk
    assert copy.edits[-1]["comment"] == "Accepted the LLM's summary."
    post.refresh_from_db()
    assert post.summary == "Old summary."
    page = staff_client.get(reverse("admin:llm_tasks")).content.decode()
    assert "Done" in page and post.title in page


@pytest.mark.django_db(transaction=True)
def test_failed_task_shows_a_plain_reason_and_changes_nothing(staff_client, llm_server, prompts, settings):
    settings.LLM_MAX_RETRIES = 1
    post = PostFactory(summary="Kept.")
    llm_server.reply(error(500))

    staff_client.post(CHANGELIST, {"action": "llm_post_summary", "_selected_action": [post.pk]})
    run_worker()

    assert DBTaskResult.objects.get().status == "FAILED"
    post.refresh_from_db()
    assert post.summary == "Kept."
    page = staff_client.get(reverse("admin:llm_tasks")).content.decode()
    assert "Failed" in page and "The model provider had an internal error. Try again later." in page


def accept_all(client, post):
    for suggestion in Suggestion.objects.filter(post=post, status="pending"):
        client.post(reverse("admin:content_post_suggestion", args=[post.pk, suggestion.pk]), {"action": "accept"})


@pytest.mark.django_db(transaction=True)
def test_section_actions_apply_keywords_alt_text_and_image_prompt(staff_client, llm_server, prompts):
    post = PostFactory(published=False)  # a draft: accepted suggestions land in its rows
    text = SectionFactory(post=post, position=1, content="Tea and biscuits.")
    picture = ImageSectionFactory(post=post, position=2)
    picture.image.caption = "A cup of tea"
    picture.image.save()

    llm_server.reply(completion(json.dumps({"keywords": ["tea", "biscuits"]})))
    staff_client.post(CHANGELIST, {"action": "llm_section_keywords", "_selected_action": [post.pk]})
    run_worker()
    llm_server.reply(completion("A white cup of tea on a saucer."))
    staff_client.post(
        "/admin/content/postsection/", {"action": "llm_section_alt_text", "_selected_action": [text.pk, picture.pk]}
    )
    run_worker()
    llm_server.reply(completion("Watercolour of a steaming teacup."))
    staff_client.post(CHANGELIST, {"action": "llm_image_prompt", "_selected_action": [post.pk]})
    run_worker()
    accept_all(staff_client, post)

    text.refresh_from_db()
    picture.image.refresh_from_db()
    assert text.keywords == ["tea", "biscuits"]
    assert picture.image.alt_text == "A white cup of tea on a saucer."
    assert picture.image.image_prompt == "Watercolour of a steaming teacup."
    # an image prompt for each section: on the image when there is one, else kept in the section's metadata
    assert text.section_metadata["image_prompt"]["text"] == "Watercolour of a steaming teacup."
    # keywords only for the text section, alt text only for the one with an image, image prompts for both
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 4
    assert "A cup of tea" in llm_server.requests[1]["json"]["messages"][0]["content"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("model", "load_prompts", "message"),
    [("", True, "Set LLM_MODEL"), ("openai/test-model", False, "loaddata prompts")],
)
def test_action_refuses_plainly_without_a_model_or_prompts(staff_client, settings, model, load_prompts, message):
    settings.LLM_MODEL = model
    if load_prompts:
        call_command("loaddata", "prompts", verbosity=0)
    post = PostFactory()
    response = staff_client.post(CHANGELIST, {"action": "llm_title_ideas", "_selected_action": [post.pk]}, follow=True)
    assert message in response.content.decode()
    assert not DBTaskResult.objects.exists()


@pytest.mark.django_db
def test_llm_run_command_applies_title_ideas(llm_server, prompts, capsys):
    post = PostFactory(slug="tea")
    llm_server.reply(completion(json.dumps({"titles": ["On tea", "Tea time"]})))

    call_command("llm_run", "title_ideas", "--post", "tea")

    assert Suggestion.objects.get(post=post).value == ["On tea", "Tea time"]
    assert "Tea time" in capsys.readouterr().out


@pytest.mark.django_db
def test_llm_run_dry_run_calls_nothing(llm_server, prompts, capsys):
    post = PostFactory(slug="tea", title="All about tea")
    SectionFactory(post=post, position=1, content="Leaves.")
    call_command("llm_run", "section_keywords", "--post", "tea", "--section", "1", "--dry-run")
    out = capsys.readouterr().out
    assert "All about tea" in out and "Leaves." in out and "sk-test" not in out
    assert llm_server.requests == [] and not LLMInteraction.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["nope", "--post", "tea"], "Unknown prompt"),
        (["post_summary", "--post", "missing"], "No post with the slug"),
        (["section_keywords", "--post", "tea"], "add --section"),
        (["section_keywords", "--post", "tea", "--section", "9"], "no section at position 9"),
    ],
)
def test_llm_run_refuses_bad_input(prompts, arguments, message):
    from django.core.management.base import CommandError

    PostFactory(slug="tea")
    with pytest.raises(CommandError, match=message):
        call_command("llm_run", *arguments)


@pytest.mark.django_db
def test_prompt_broken_outside_the_admin_fails_plainly_before_any_call(llm_server, prompts):
    from llm.errors import PromptMissing
    from llm.models import LLMPrompt
    from llm.runner import run_use
    from llm.uses import Target

    LLMPrompt.objects.filter(name="post_summary").update(prompt_template="Summarise {author}")
    post = PostFactory(summary="Kept.")
    with pytest.raises(PromptMissing, match="does not fit its context"):
        run_use("post_summary", Target(post_id=post.pk))
    assert llm_server.requests == []
    post.refresh_from_db()
    assert post.summary == "Kept."
