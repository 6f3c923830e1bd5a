"""The workflow through the admin with the test client, as an Editor and as a Publisher."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from content.editorial import workflow
from content.models import Post, WorkflowTransition
from content.tests.editorial.test_admin import change_form_data, section_row
from content.tests.editorial.workflow_helpers import (
    client_for,
    draft_post,
    finish_stages_before,
    messages_of,
    seq_of,
    step,
    workflow_url,
)
from content.tests.factories import ImageSectionFactory, SectionFactory

pytestmark = pytest.mark.django_db


def finish_substages(client, post, stage_key):
    for sub in workflow.STAGE_BY_KEY[stage_key].substages:
        if not sub.automatic:
            response = step(client, post, "done", kind="substage", substage=sub.key)
            assert response.status_code == 200
            assert f"{sub.label}: done." in messages_of(response)


def test_idea_to_published_as_editor_then_publisher(client, editor, publisher):
    client_for(client, editor)
    data = change_form_data(
        Post(title="From idea to print", slug="", content="Intro", published=False),
        [section_row(0, title="one", content="First"), section_row(1, title="two", content="Second")],
    )
    assert client.post(reverse("admin:content_post_add"), data).status_code == 302
    post = Post.objects.get(title="From idea to print")
    assert (post.workflow_stage, post.author, post.published) == ("planning", editor, False)

    finish_substages(client, post, "planning")
    response = step(client, post, "start_writing")
    assert "“Start writing”: done. The post is now in Writing." in messages_of(response)
    finish_substages(client, post, "writing")
    response = step(client, post, "submit_for_review")
    assert "“Submit for review”: done. The post is now in Review." in messages_of(response)
    finish_substages(client, post, "review")

    response = step(client, post, "approve")
    assert any("Only Publishers may “Approve”" in message for message in messages_of(response))
    post.refresh_from_db()
    assert post.workflow_stage == "review"

    client_for(client, publisher)
    response = step(client, post, "approve")
    assert "“Approve”: done. The post is now in Publishing." in messages_of(response)
    client_for(client, editor)
    response = step(client, post, "publish")
    assert any("Only Publishers may “Publish now”" in message for message in messages_of(response))
    assert not Post.objects.get(pk=post.pk).published

    client_for(client, publisher)
    response = step(client, post, "publish")
    assert "“Publish now”: done. Readers can see the post now." in messages_of(response)
    post.refresh_from_db()
    assert post.published and post.published_at is not None
    assert Post.objects.live().filter(pk=post.pk).exists()
    state = workflow.read_state(post.workflow_stage, post.stage_data)
    assert state.substage("publish").status == "done"
    assert state.substage("approval").status == "done"
    assert state.substage("schedule").status == "skipped"
    checks = state.substage("publish").checks
    assert [check["name"] for check in checks if check["level"] == "required"] == [
        "has_sections",
        "sections_valid",
        "alt_text",
        "empty_sections",
        "broken_links",
    ]
    assert all(check["ok"] for check in checks if check["level"] == "required")

    moves = list(WorkflowTransition.objects.filter(post=post, substage="").order_by("created_at", "id"))
    assert [(m.action, m.from_stage, m.to_stage, m.user.username) for m in moves] == [
        ("start_writing", "planning", "writing", "edna"),
        ("submit_for_review", "writing", "review", "edna"),
        ("approve", "review", "publishing", "paul"),
        ("publish", "publishing", "publishing", "paul"),
    ]
    assert client.get(post.get_absolute_url()).status_code == 200


def test_panel_shows_the_posts_own_stage_data(publisher_client, publisher):
    post = finish_stages_before(draft_post(), "writing")
    Post.objects.filter(pk=post.pk).update(
        stage_data={
            **post.stage_data,
            "draft": {
                "status": "blocked",
                "assignee": publisher.pk,
                "notes": "Waiting for the interview",
                "checks": [{"name": "spelling", "ok": False, "detail": "3 typos"}],
                "llm_interactions": [41],
            },
        }
    )
    response = publisher_client.get(reverse("admin:content_post_change", args=[post.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-substage="draft" data-status="blocked"' in body
    assert 'data-substage="idea" data-status="done"' in body
    assert 'data-substage="summary_seo" data-status="pending"' in body
    assert "Waiting for the interview" in body and "3 typos" in body and "#41" in body
    assert f'<option value="{publisher.pk}" selected>paul</option>' in body
    # Blocked draft: "Start" (unblock) and "Skip" offered, "Done" is not.
    draft_entry = body.split('data-substage="draft"')[1].split('data-substage="sections_media"')[0]
    assert 'value="start"' in body and 'name="action" value="done"' not in draft_entry
    buttons = {button.action: button for button in response.context["workflow"]["buttons"]}
    assert not buttons["submit_for_review"].allowed
    assert "Draft" in buttons["submit_for_review"].reason


def test_denied_steps_explain_why(editor_client):
    post = finish_stages_before(draft_post(), "writing")
    response = step(editor_client, post, "submit_for_review")
    assert any("Finish or skip these sub-stages of Writing first: Draft" in m for m in messages_of(response))
    response = step(editor_client, post, "publish")
    assert any(
        "“Publish now” is a step from Publishing, but the post is in Writing." in m for m in messages_of(response)
    )
    assert Post.objects.get(pk=post.pk).workflow_stage == "writing"


def test_review_gate_refuses_invalid_sections_and_records_the_checks(editor_client):
    post = finish_stages_before(draft_post(sections=1), "writing", finish_current=True)
    SectionFactory(post=post, position=2, content="  ")  # a text section without text
    response = step(editor_client, post, "submit_for_review")
    message = " ".join(messages_of(response))
    assert "content checks" in message and "section 2" in message and "A text section needs this field." in message
    post.refresh_from_db()
    assert post.workflow_stage == "writing"
    checks = {
        c["name"]: c["ok"]
        for c in workflow.read_state(post.workflow_stage, post.stage_data).substage("sections_media").checks
    }
    assert {name: checks[name] for name in ("has_sections", "sections_valid", "alt_text")} == {
        "has_sections": True,
        "sections_valid": False,
        "alt_text": True,
    }
    assert checks["empty_sections"] is False  # the same blank section, said as the checklist says it


def test_review_gate_refuses_images_without_alt_text(editor_client):
    post = finish_stages_before(draft_post(sections=1), "writing", finish_current=True)
    ImageSectionFactory(post=post, position=2, image__alt_text="")
    response = step(editor_client, post, "submit_for_review")
    assert any("Images without alt text: section 2" in m for m in messages_of(response))
    assert Post.objects.get(pk=post.pk).workflow_stage == "writing"
    image = post.sections.get(position=2).image
    image.alt_text = "A lighthouse at dusk"
    image.save()
    response = step(editor_client, post, "submit_for_review")
    assert "“Submit for review”: done. The post is now in Review." in messages_of(response)


def test_review_gate_refuses_a_post_without_sections(editor_client):
    post = finish_stages_before(draft_post(sections=0), "writing", finish_current=True)
    response = step(editor_client, post, "submit_for_review")
    assert any("The post has no sections." in m for m in messages_of(response))


def test_publish_rechecks_the_gate_even_after_approval(publisher_client):
    post = finish_stages_before(draft_post(sections=1), "publishing")
    ImageSectionFactory(post=post, position=2, image__alt_text=None)
    response = step(publisher_client, post, "publish")
    assert any("refused until the content checks pass" in m for m in messages_of(response))
    post.refresh_from_db()
    assert not post.published and post.published_at is None


def test_published_cannot_be_ticked_in_the_post_form(editor_client):
    post = draft_post()
    rows = [section_row(i, s) for i, s in enumerate(post.sections.order_by("position"))]
    data = change_form_data(post, rows, published="on", published_at_0="2020-01-01", published_at_1="10:00")
    response = editor_client.post(reverse("admin:content_post_change", args=[post.pk]), data)
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.published is False and post.published_at is None
    assert not Post.objects.live().filter(pk=post.pk).exists()


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"kind": "transition", "action": "teleport"}, "There is no workflow step called 'teleport'."),
        ({"kind": "transition", "action": "publish"}, "is a step from Publishing"),
        ({"kind": "substage", "action": "done", "substage": "nope"}, "There is no sub-stage 'nope'"),
        ({"kind": "substage", "action": "done", "substage": "draft"}, "belongs to another stage"),
        ({"kind": "substage", "action": "fly", "substage": "idea"}, "There is no sub-stage step called 'fly'."),
        ({"kind": "substage", "action": "block", "substage": "idea"}, "a note is required"),
        ({"kind": "assign", "substage": "idea", "assignee": "999999"}, "That user does not exist."),
        ({"kind": "assign", "substage": "idea", "assignee": "abc"}, "Assignment saved."),
        ({"kind": "bogus"}, "Unknown workflow request."),
        ({"kind": "transition", "action": "start_writing", "seq": "x"}, "changed since this page was loaded"),
        ({"kind": "transition", "action": "start_writing", "seq": ""}, "changed since this page was loaded"),
    ],
)
def test_forged_requests_are_refused_clearly(publisher_client, payload, expected):
    post = draft_post()
    before = Post.objects.values("workflow_stage", "stage_data", "published").get(pk=post.pk)
    payload = {"seq": seq_of(post), **payload}
    response = publisher_client.post(workflow_url(post), payload, follow=True)
    assert response.status_code == 200
    assert any(expected in m for m in messages_of(response)), messages_of(response)
    if expected != "Assignment saved.":
        assert Post.objects.values("workflow_stage", "stage_data", "published").get(pk=post.pk) == before


def test_publish_request_on_a_planning_post_never_publishes(publisher_client):
    post = draft_post()
    for action in ("publish", "schedule", "approve"):
        step(publisher_client, post, action, publish_at="2099-01-01T10:00")
    post.refresh_from_db()
    assert (post.published, post.publish_at, post.workflow_stage) == (False, None, "planning")


def test_unknown_or_trashed_post_and_get_are_refused(publisher_client):
    response = publisher_client.post(workflow_url(999999), {"kind": "transition", "action": "publish", "seq": 0})
    assert response.status_code == 302
    response = publisher_client.get(response["Location"])
    assert "Refused: This post does not exist or is in the trash." in messages_of(response)
    response = publisher_client.post("/admin/content/post/abc/workflow/", {"kind": "transition"}, follow=True)
    assert "This post does not exist or is in the trash." in messages_of(response)
    post = draft_post()
    assert publisher_client.get(workflow_url(post)).status_code == 405
    Post.objects.filter(pk=post.pk).update(deleted_at="2020-01-01T00:00Z")
    response = step(publisher_client, post, "start_writing", seq=0)
    assert "Refused: This post does not exist or is in the trash." in messages_of(response)


def test_replayed_form_is_refused(editor_client):
    post = finish_stages_before(draft_post(), "planning", finish_current=True)
    seq = seq_of(post)
    first = step(editor_client, post, "start_writing", seq=seq)
    assert "“Start writing”: done. The post is now in Writing." in messages_of(first)
    step(editor_client, post, "back_to_planning")
    replay = step(editor_client, post, "start_writing", seq=seq)
    assert any("changed since this page was loaded" in m for m in messages_of(replay))
    assert Post.objects.get(pk=post.pk).workflow_stage == "planning"
    assert WorkflowTransition.objects.filter(post=post, action="start_writing").count() == 1


def test_workflow_post_without_csrf_token_is_rejected(editor):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    post = finish_stages_before(draft_post(), "planning", finish_current=True)
    response = client.post(workflow_url(post), {"kind": "transition", "action": "start_writing", "seq": 0})
    assert response.status_code == 403
    assert Post.objects.get(pk=post.pk).workflow_stage == "planning"


def test_nonsense_stage_data_is_repaired_for_display_never_a_500(publisher_client):
    cases = [
        ("planning", "just a string"),
        ("planning", [1, 2, 3]),
        ("nowhere", {"idea": "x", "draft": {"status": "exploded", "assignee": "bob", "checks": "many"}}),
        ("writing", {"idea": {"status": "done", "started_at": "yesterday", "llm_interactions": ["a", -1, 7]}}),
        ("review", {"_meta": {"seq": "seven"}, "copy_edit": None, "fact_check": {"status": True}}),
        ("publishing", 42),
    ]
    for stage, data in cases:
        post = draft_post()
        Post.objects.filter(pk=post.pk).update(workflow_stage=stage, stage_data=data)
        response = publisher_client.get(reverse("admin:content_post_change", args=[post.pk]))
        assert response.status_code == 200, (stage, data)
        changelist = publisher_client.get(reverse("admin:content_post_changelist"))
        assert changelist.status_code == 200
        assert publisher_client.get(reverse("admin:content_post_assignments")).status_code == 200
    body = response.content.decode()
    assert "needed repair" in body


def test_repaired_post_can_move_on_and_is_saved_cleanly(editor_client):
    post = draft_post()
    Post.objects.filter(pk=post.pk).update(workflow_stage="nowhere", stage_data={"idea": "x", "outline": {"status": 5}})
    response = step(editor_client, post, "done", kind="substage", substage="idea")
    assert "Idea: done." in messages_of(response)
    post.refresh_from_db()
    state = workflow.read_state(post.workflow_stage, post.stage_data)
    assert post.workflow_stage == "planning" and state.problems == []
    assert state.substage("idea").status == "done" and state.substage("outline").status == "pending"


def test_changelist_stage_column_and_filter(publisher_client):
    planning = draft_post(title="Still an idea")
    writing = finish_stages_before(draft_post(title="Being written"), "writing")
    Post.objects.filter(pk=writing.pk).update(stage_data={**writing.stage_data, "draft": {"status": "done"}})
    odd = draft_post(title="Odd one")
    Post.objects.filter(pk=odd.pk).update(workflow_stage="limbo")
    url = reverse("admin:content_post_changelist")
    body = publisher_client.get(url).content.decode()
    assert "Writing 1/3" in body and "Planning 0/3" in body and "Planning 0/3 · repaired" in body
    filtered = publisher_client.get(url, {"stage": "writing"}).context["cl"].result_list
    assert [p.title for p in filtered] == ["Being written"]
    unknown = publisher_client.get(url, {"stage": "unknown"}).context["cl"].result_list
    assert [p.title for p in unknown] == ["Odd one"]
    assert planning.title not in [p.title for p in unknown]


def test_my_assignments_lists_open_substages_of_mine(editor_client, editor, publisher):
    mine = draft_post(title="Mine")
    step(editor_client, mine, "x", kind="assign", substage="research", assignee=editor.pk)
    finished = draft_post(title="Finished work")
    Post.objects.filter(pk=finished.pk).update(stage_data={"idea": {"status": "done", "assignee": editor.pk}})
    others = draft_post(title="Someone else's")
    Post.objects.filter(pk=others.pk).update(stage_data={"idea": {"status": "pending", "assignee": publisher.pk}})
    trashed = draft_post(title="Trashed")
    Post.objects.filter(pk=trashed.pk).update(
        deleted_at="2020-01-01T00:00Z", stage_data={"idea": {"assignee": editor.pk}}
    )
    response = editor_client.get(reverse("admin:content_post_assignments"))
    assert response.status_code == 200
    assert [(post.title, [s.key for s in subs]) for post, _, subs in response.context["rows"]] == [
        ("Mine", ["research"])
    ]
    assert "Research (pending)" in response.content.decode()


def test_assignment_only_to_active_staff(editor_client, django_user_model):
    reader = django_user_model.objects.create_user("reader", password="pass-word-123")
    post = draft_post()
    response = step(editor_client, post, "x", kind="assign", substage="idea", assignee=reader.pk)
    assert any("only be assigned to active staff" in m for m in messages_of(response))


def test_schedule_needs_a_future_time(publisher_client):
    post = finish_stages_before(draft_post(), "publishing")
    for value, expected in [
        ("", "as a date and time"),
        ("garbage", "as a date and time"),
        ("2001-01-01T10:00", "in the future"),
    ]:
        response = step(publisher_client, post, "schedule", publish_at=value)
        assert any(expected in m for m in messages_of(response)), value
    response = step(publisher_client, post, "schedule", publish_at="2099-05-01T10:00")
    assert "“Schedule”: done. The post will be published at 2099-05-01 10:00." in messages_of(response)
    post.refresh_from_db()
    assert post.publish_at.year == 2099 and not post.published


def test_a_post_published_outside_the_workflow_can_be_unpublished(client, editor, publisher):
    post = draft_post(published=True)  # e.g. imported or demo content, still in Planning
    response = step(client_for(client, editor), post, "unpublish")
    assert any("Only Publishers may “Unpublish”" in m for m in messages_of(response))
    response = step(client_for(client, publisher), post, "unpublish")
    assert "“Unpublish”: done. Readers no longer see the post." in messages_of(response)
    post.refresh_from_db()
    assert (post.published, post.workflow_stage) == (False, "planning")
    response = step(client, post, "unpublish")
    assert any("The post is not published." in m for m in messages_of(response))


def test_unpublish_and_back(publisher_client):
    post = finish_stages_before(draft_post(), "publishing")
    step(publisher_client, post, "publish")
    response = step(publisher_client, post, "unpublish")
    assert "“Unpublish”: done. Readers no longer see the post." in messages_of(response)
    post.refresh_from_db()
    assert post.published is False
    assert not Post.objects.live().filter(pk=post.pk).exists()


def test_change_page_query_budget_with_50_sections(publisher_client, django_assert_max_num_queries):
    post = finish_stages_before(draft_post(sections=40), "writing")
    images = [ImageSectionFactory(post=post, position=n, image__alt_text=f"alt {n}").image for n in range(41, 51)]
    url = reverse("admin:content_post_change", args=[post.pk])
    with django_assert_max_num_queries(14):
        response = publisher_client.get(url)
    assert response.status_code == 200
    assert len(response.context["inline_admin_formsets"][0].formset.forms) == 50
    body = response.content.decode()
    assert all(f'href="{reverse("admin:media_library_image_change", args=[image.pk])}"' in body for image in images)


def test_changelist_queries_do_not_grow_with_posts(publisher_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("admin:content_post_changelist")
    counts = []
    for total in (3, 30):
        while Post.objects.count() < total:
            draft_post(sections=1)
        with CaptureQueriesContext(connection) as queries:
            assert publisher_client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] and counts[1] <= 12, counts


def test_other_pages_query_budgets(publisher_client, django_assert_max_num_queries):
    post = finish_stages_before(draft_post(sections=20), "writing")
    rows = [section_row(i, s) for i, s in enumerate(post.sections.order_by("position"))]
    url = reverse("admin:content_post_change", args=[post.pk])
    for number in range(5):
        post.refresh_from_db()
        response = publisher_client.post(url, change_form_data(post, rows, title=f"Take {number}"))
        assert response.status_code == 302
    with django_assert_max_num_queries(12):
        response = publisher_client.get(reverse("admin:content_post_revisions", args=[post.pk]))
    assert len(response.context["rows"]) == 5
    with django_assert_max_num_queries(10):
        assert publisher_client.get(reverse("admin:content_post_assignments")).status_code == 200
    with django_assert_max_num_queries(10):
        assert publisher_client.get(reverse("admin:content_post_trash")).status_code == 200


def test_cancel_schedule_is_offered_only_when_something_is_scheduled(publisher_client):
    from content.tests.editorial.workflow_helpers import draft_post, finish_stages_before

    post = finish_stages_before(draft_post(), "publishing")
    page = publisher_client.get(reverse("admin:content_post_change", args=[post.pk])).content.decode()
    assert 'data-action="schedule"' in page and 'data-action="unschedule"' not in page
    Post.objects.filter(pk=post.pk).update(publish_at=timezone.now() + timedelta(days=1))
    page = publisher_client.get(reverse("admin:content_post_change", args=[post.pk])).content.decode()
    assert 'data-action="unschedule"' in page
