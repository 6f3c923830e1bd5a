"""Revisions of posts with their sections: one per save, history, diff, revert; optimistic locking."""

import pytest
from django.urls import reverse
from reversion.models import Revision

from content.editorial import revisions
from content.models import Post, WorkflowTransition
from content.tests.editorial.test_admin import change_form_data, section_row
from content.tests.editorial.workflow_helpers import client_for, draft_post, finish_stages_before, messages_of

pytestmark = pytest.mark.django_db


def save_through_admin(client, post, *, rows=None, **values):
    post.refresh_from_db()
    if rows is None:
        rows = [section_row(i, s) for i, s in enumerate(post.sections.order_by("position"))]
    return client.post(reverse("admin:content_post_change", args=[post.pk]), change_form_data(post, rows, **values))


def section_titles(post):
    return list(post.sections.order_by("position").values_list("title", flat=True))


def test_every_save_makes_a_revision_with_author_and_sections(editor_client, editor):
    post = draft_post(sections=2, title="First title")
    assert save_through_admin(editor_client, post, title="Second title").status_code == 302
    assert save_through_admin(editor_client, post, title="Third title").status_code == 302
    versions = list(revisions.post_versions(post))
    assert len(versions) == 2
    newest = versions[0]
    assert newest.revision.user == editor
    assert newest.field_dict["title"] == "Third title"
    assert newest.revision.version_set.count() == 3  # the post and its two sections
    assert newest.revision.comment == "Changed title."
    page = editor_client.get(reverse("admin:content_post_revisions", args=[post.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "edna" in body and "Changed title." in body


def test_diff_between_two_revisions_is_readable(editor_client):
    post = draft_post(sections=2, title="Old title")
    a, b = post.sections.order_by("position")
    save_through_admin(editor_client, post)
    rows = [
        section_row(0, a, content="Some *Markdown* text.\nA new line."),
        section_row(1, b, DELETE="on"),
        section_row(2, title="brand new", content="Fresh"),
    ]
    save_through_admin(editor_client, post, rows=rows, title="New title")
    newer, older = [v.revision_id for v in revisions.post_versions(post)]
    response = editor_client.get(reverse("admin:content_post_revision_diff", args=[post.pk]), {"a": older, "b": newer})
    assert response.status_code == 200
    post_changes = {change.label: change.lines for change in response.context["post_changes"]}
    assert post_changes["title"] == [("-", "Old title"), ("+", "New title")]
    kinds = {section.label: section.kind for section in response.context["section_changes"]}
    assert kinds[f"Section 1 “{a.title}”"] == "changed"
    assert kinds[f"Section 2 “{b.title}”"] == "removed"
    assert kinds["Section 2 “brand new”"] == "added"
    body = response.content.decode()
    assert "+ A new line." in body and "- Old title" in body


def test_revert_restores_post_and_sections(editor_client, editor):
    post = draft_post(sections=2, title="Good version")
    a, b = post.sections.order_by("position")
    save_through_admin(editor_client, post)
    good = revisions.latest_revision(post)
    rows = [
        section_row(0, a, title="mangled", content="oops"),
        section_row(1, b, DELETE="on"),
        section_row(2, title="spam", content="spam"),
    ]
    assert save_through_admin(editor_client, post, rows=rows, title="Bad version").status_code == 302
    assert section_titles(post) == ["mangled", "spam"]
    version_before = Post.objects.get(pk=post.pk).version

    response = editor_client.post(
        reverse("admin:content_post_revert", args=[post.pk]), {"revision": good.pk}, follow=True
    )
    assert "The post and its sections were restored from the revision." in messages_of(response)
    post.refresh_from_db()
    assert post.title == "Good version"
    assert section_titles(post) == [a.title, b.title]
    assert post.sections.get(pk=b.pk).content == b.content  # the deleted section is back, same id
    assert post.version == version_before + 1
    assert revisions.latest_revision(post).comment == f"Reverted to revision {good.pk}."
    assert WorkflowTransition.objects.filter(post=post, action="revert", user=editor).exists()


def test_revert_keeps_workflow_and_publication_state(publisher_client):
    post = finish_stages_before(draft_post(), "publishing")
    save_through_admin(publisher_client, post, title="Before")
    old = revisions.latest_revision(post)
    Post.objects.filter(pk=post.pk).update(published=True, published_at="2026-01-01T00:00Z")
    publisher_client.post(reverse("admin:content_post_revert", args=[post.pk]), {"revision": old.pk})
    post.refresh_from_db()
    assert post.published and post.workflow_stage == "publishing"


@pytest.mark.parametrize("revision", ["", "abc", "999999", "other"])
def test_revert_or_diff_with_a_bad_revision_is_refused(editor_client, revision):
    post = draft_post()
    other = draft_post()
    save_through_admin(editor_client, post, title="Mine")
    save_through_admin(editor_client, other, title="Other")
    if revision == "other":
        revision = revisions.latest_revision(other).pk
    response = editor_client.post(
        reverse("admin:content_post_revert", args=[post.pk]), {"revision": revision}, follow=True
    )
    assert response.status_code == 200
    assert any(m.startswith("Not reverted:") for m in messages_of(response))
    assert Post.objects.get(pk=post.pk).title == "Mine"
    response = editor_client.get(
        reverse("admin:content_post_revision_diff", args=[post.pk]), {"a": revision, "b": revision}, follow=True
    )
    assert any(m.startswith("Cannot compare:") for m in messages_of(response))


def test_concurrent_edit_is_refused_with_a_link_to_the_newer_version(client, editor, publisher):
    post = draft_post(title="Shared")
    stale = Post.objects.get(pk=post.pk)  # what the first editor loaded (version 1)
    client_for(client, publisher)
    assert save_through_admin(client, post, title="Publisher's edit").status_code == 302
    client_for(client, editor)
    rows = [section_row(i, s) for i, s in enumerate(post.sections.order_by("position"))]
    response = client.post(
        reverse("admin:content_post_change", args=[post.pk]), change_form_data(stale, rows, title="Editor's edit")
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Someone else saved this post while you were editing it" in body
    assert "by paul" in body and "you started from version 1" in body
    assert f'href="{reverse("admin:content_post_change", args=[post.pk])}"' in body
    assert f'href="{reverse("admin:content_post_revisions", args=[post.pk])}"' in body
    post.refresh_from_db()
    assert (post.title, post.version) == ("Publisher's edit", 2)
    assert Revision.objects.count() == 1


def test_stale_version_is_refused_by_the_conditional_update():
    post = draft_post()
    assert revisions.claim_version(post.pk, 1) == 2
    with pytest.raises(revisions.StaleVersion):
        revisions.claim_version(post.pk, 1)


def test_missing_or_forged_version_is_a_form_error(editor_client):
    post = draft_post(title="Kept")
    for version in ("", "abc", "999"):
        response = save_through_admin(editor_client, post, title="Changed", version=version)
        assert response.status_code == 200
    assert Post.objects.get(pk=post.pk).title == "Kept"
