import pytest
from django.apps import apps
from django.core.management import call_command

from content.editorial import workflow
from content.models import Post, PostSection, SectionType

pytestmark = pytest.mark.django_db

FIXTURES = ["demo", "prompts"]


def row_counts():
    return {
        model._meta.label: model.objects.count()
        for app in ("content", "media_library", "llm")
        for model in apps.get_app_config(app).get_models()
    }


def test_fixtures_load_twice_without_change():
    call_command("loaddata", *FIXTURES, verbosity=0)
    first = row_counts()
    call_command("loaddata", *FIXTURES, verbosity=0)
    assert row_counts() == first
    assert first["content.Post"] >= 5
    assert set(PostSection.objects.values_list("content_type", flat=True)) == set(SectionType.values)
    assert first["content.Tag"] > 0 and first["media_library.Image"] > 0 and first["llm.LLMPrompt"] >= 6


def test_demo_sections_are_valid():
    call_command("loaddata", *FIXTURES, verbosity=0)
    for section in PostSection.objects.all():
        section.full_clean()
    assert Post.objects.live().count() >= 5


def test_load_demo_is_idempotent_and_creates_an_admin(django_user_model, capsys):
    call_command("load_demo")
    first = row_counts()
    out = capsys.readouterr().out
    assert "admin" in out and "password" in out.lower()
    call_command("load_demo")
    assert row_counts() == first
    assert django_user_model.objects.filter(username="admin", is_superuser=True).count() == 1


def test_load_demo_saves_each_post_through_the_save_service():
    from content.editorial import revisions
    from content.models import SectionHtml

    call_command("load_demo")
    for post in Post.objects.all():
        assert [version.revision.comment for version in revisions.post_versions(post)] == ["Demo content loaded."]
        assert SectionHtml.objects.filter(section__post=post).count() == post.sections.count()
    next_post = Post.objects.create(title="After the demo")  # the ids' sequence was moved past the fixture's
    assert next_post.pk > max(Post.objects.exclude(pk=next_post.pk).values_list("pk", flat=True))


@pytest.mark.parametrize("command", [("loaddata", *FIXTURES), ("load_demo",)])
def test_demo_posts_are_in_a_valid_workflow_state(command):
    """The admin shows them as they are, never as "repaired"; published ones have their publish step done."""
    call_command(*command, verbosity=0)
    for post in Post.objects.all():
        state = workflow.read_state(post.workflow_stage, post.stage_data)
        assert (post.slug, state.problems) == (post.slug, [])
        assert state.stage == post.workflow_stage
        if post.published:
            assert (state.stage, state.substage("publish").status) == ("publishing", workflow.Status.DONE)
