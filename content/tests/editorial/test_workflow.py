"""The workflow definition, reading stored stage_data, and the services outside the admin."""

import pytest
from django.urls import reverse

from content.editorial import workflow, workflow_services, workflow_steps
from content.editorial.workflow import Stage, SubStage
from content.editorial.workflow_services import WorkflowDenied
from content.models import Post, WorkflowTransition
from content.tests.editorial.workflow_helpers import draft_post, finish_stages_before, messages_of, seq_of, step


def test_every_substage_key_is_unique_and_every_transition_names_real_stages():
    keys = [sub.key for stage in workflow.STAGES for sub in stage.substages]
    assert len(keys) == len(set(keys)) == 12
    for transition in workflow.TRANSITIONS:
        assert {transition.source, transition.target} <= {*workflow.STAGE_BY_KEY, workflow.ANY_STAGE}
        assert not transition.checks_into or transition.checks_into in workflow.SUBSTAGE_STAGE


def test_read_then_dump_keeps_what_was_stored():
    stored = {
        "idea": {"status": "done", "assignee": 4, "started_at": "2026-01-02T03:04:05+00:00", "notes": "n"},
        "legacy": {"status": "done", "notes": "from an older workflow"},
        "custom": [1, 2],
        "_meta": {"seq": 3},
    }
    state = workflow.read_state("planning", stored)
    assert state.problems == [] and state.seq == 3
    assert state.substage("idea").started_at.year == 2026
    dumped = workflow.dump_state(state)
    assert dumped["idea"]["assignee"] == 4 and dumped["idea"]["notes"] == "n"
    assert dumped["legacy"]["notes"] == "from an older workflow"
    assert dumped["custom"] == [1, 2]
    assert set(dumped) >= {sub.key for stage in workflow.STAGES for sub in stage.substages}


@pytest.mark.parametrize(
    "stored",
    [None, "text", 17, [1, {"status": "done"}], {"idea": [], "draft": {"status": {"x": 1}, "assignee": True}}],
)
def test_nonsense_reads_as_pending_with_problems_named(stored):
    state = workflow.read_state("writing", stored)
    assert all(sub.status == "pending" for stage in state.stages for sub in stage.substages)
    assert state.substage("draft").assignee is None
    if stored is not None:
        assert state.problems


@pytest.fixture
def changed_definition(monkeypatch):
    """The definition as it might look later: Planning gains "interview", Writing loses "summary_seo"."""
    stages = list(workflow.STAGES)
    stages[0] = Stage("planning", "Planning", (*stages[0].substages, SubStage("interview", "Interview")))
    stages[1] = Stage("writing", "Writing", stages[1].substages[:2])
    monkeypatch.setattr(workflow, "STAGES", tuple(stages))
    monkeypatch.setattr(workflow, "STAGE_BY_KEY", {stage.key: stage for stage in stages})
    monkeypatch.setattr(workflow, "SUBSTAGE_STAGE", {sub.key: stage for stage in stages for sub in stage.substages})


@pytest.mark.django_db
def test_posts_from_before_a_definition_change_still_work(changed_definition, editor_client):
    post = draft_post()
    old_data = {
        "idea": {"status": "done"},
        "research": {"status": "done"},
        "outline": {"status": "skipped"},
        "summary_seo": {"status": "done", "notes": "SEO done under the old workflow"},
        "_meta": {"seq": 5},
    }
    Post.objects.filter(pk=post.pk).update(stage_data=old_data)
    response = editor_client.get(reverse("admin:content_post_change", args=[post.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-substage="interview" data-status="pending"' in body
    assert "no longer in the workflow" in body and "SEO done under the old workflow" in body

    response = step(editor_client, post, "start_writing")
    assert any("Finish or skip these sub-stages of Planning first: Interview." in m for m in messages_of(response))
    step(editor_client, post, "skip", kind="substage", substage="interview")
    response = step(editor_client, post, "start_writing")
    assert "“Start writing”: done. The post is now in Writing." in messages_of(response)
    post.refresh_from_db()
    assert post.stage_data["summary_seo"]["notes"] == "SEO done under the old workflow"
    assert post.stage_data["interview"]["status"] == "skipped"
    # A forged move of the retired sub-stage is refused.
    response = step(editor_client, post, "done", kind="substage", substage="summary_seo")
    assert any("There is no sub-stage 'summary_seo'" in m for m in messages_of(response))


@pytest.mark.django_db
def test_transition_is_recorded_with_who_when_from_to(editor):
    post = finish_stages_before(draft_post(), "planning", finish_current=True)
    workflow_services.apply_transition(post.pk, "start_writing", editor, seq=seq_of(post), note="go")
    move = WorkflowTransition.objects.get(post=post)
    assert (move.user, move.action, move.from_stage, move.to_stage, move.note) == (
        editor,
        "start_writing",
        "planning",
        "writing",
        "go",
    )
    assert move.created_at is not None


@pytest.mark.django_db
def test_substage_moves_set_times_and_refuse_impossible_moves(editor):
    post = draft_post()
    workflow_services.move_substage(post.pk, "idea", "start", editor, seq=seq_of(post))
    state = workflow.read_state(*Post.objects.values_list("workflow_stage", "stage_data").get(pk=post.pk))
    assert state.substage("idea").status == "in_progress" and state.substage("idea").started_at
    workflow_services.move_substage(post.pk, "idea", "done", editor, seq=seq_of(post))
    state = workflow.read_state(*Post.objects.values_list("workflow_stage", "stage_data").get(pk=post.pk))
    assert state.substage("idea").finished_at >= state.substage("idea").started_at
    with pytest.raises(WorkflowDenied, match="does not apply to Idea: it is done"):
        workflow_services.move_substage(post.pk, "idea", "done", editor, seq=seq_of(post))
    with pytest.raises(WorkflowDenied, match="moves with the stage steps"):
        finish_stages_before(post, "review")
        workflow_services.move_substage(post.pk, "approval", "done", editor, seq=seq_of(post))


@pytest.mark.django_db
def test_user_without_change_permission_cannot_move_anything(django_user_model):
    viewer = django_user_model.objects.create_user("viewer", password="pass-word-123", is_staff=True)
    post = finish_stages_before(draft_post(), "planning", finish_current=True)
    with pytest.raises(WorkflowDenied, match="Only Editors"):
        workflow_services.apply_transition(post.pk, "start_writing", viewer, seq=seq_of(post))
    with pytest.raises(WorkflowDenied, match="may not change posts"):
        workflow_services.move_substage(post.pk, "idea", "reopen", viewer, seq=seq_of(post))


@pytest.mark.django_db
def test_llm_interactions_are_linked_to_a_substage_once():
    post = draft_post()
    workflow_steps.link_llm_interaction(post.pk, "summary_seo", 12)
    workflow_steps.link_llm_interaction(post.pk, "summary_seo", 12)
    workflow_steps.link_llm_interaction(post.pk, "summary_seo", 13)
    post.refresh_from_db()
    assert post.stage_data["summary_seo"]["llm_interactions"] == [12, 13]
