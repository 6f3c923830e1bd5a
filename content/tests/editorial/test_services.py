import pytest
from django.db import IntegrityError

from content.editorial import revisions, services, workflow
from content.models import IntroHtml, PostSection, SectionHtml
from content.tests.factories import PostFactory, SectionFactory

pytestmark = pytest.mark.django_db


def positions(post):
    return list(post.sections.order_by("position").values_list("title", "position"))


def test_renumber_closes_gaps_and_keeps_order():
    post = PostFactory(published=False)
    for title, position in [("a", 3), ("b", 7), ("c", 10)]:
        SectionFactory(post=post, title=title, position=position)
    assert services.renumber_sections(post) == 3
    assert positions(post) == [("a", 1), ("b", 2), ("c", 3)]


def test_add_section_inserts_and_shifts_later_sections():
    post = PostFactory(published=False)
    for title, position in [("a", 1), ("b", 2), ("c", 3)]:
        SectionFactory(post=post, title=title, position=position)
    new = services.add_section(post, position=2, title="new", content="inserted")
    assert new.position == 2
    assert positions(post) == [("a", 1), ("new", 2), ("b", 3), ("c", 4)]


def test_add_section_without_position_appends():
    post = PostFactory(published=False)
    SectionFactory(post=post, title="a", position=1)
    services.add_section(post, title="z", content="last")
    assert positions(post) == [("a", 1), ("z", 2)]


def test_save_post_writes_everything_of_one_save_as_one_revision(editor):
    post = PostFactory(title="Before", published=False)
    kept = SectionFactory(post=post, title="kept", position=1)
    gone = SectionFactory(post=post, title="gone", position=2)
    new = PostSection(title="new", content="Inserted *first*.", position=1)
    post.title = "After"
    services.save_post(
        post,
        editor,
        comment="Changed title, sections.",
        sections=services.SectionChanges(saved=[new], deleted=[gone], placed=[new]),
        tags=["harbours", "light"],
        expected_version=1,
    )
    post.refresh_from_db()
    assert (post.title, post.version) == ("After", 2)
    assert positions(post) == [("new", 1), ("kept", 2)]
    assert sorted(post.tags.names()) == ["harbours", "light"]
    assert SectionHtml.objects.filter(section__post=post).count() == 2
    assert IntroHtml.objects.filter(post=post).exists()
    (version,) = revisions.post_versions(post)
    assert version.revision.user == editor and version.revision.comment == "Changed title, sections."
    assert version.revision.version_set.count() == 3  # the post and its two sections, as saved
    assert kept.pk in {section.pk for section in post.sections.all()}


def test_a_stale_save_changes_nothing(editor):
    post = PostFactory(title="Kept", published=False)
    SectionFactory(post=post, title="kept", position=1)
    post.title = "Lost"
    with pytest.raises(revisions.StaleVersion):
        services.save_post(
            post,
            editor,
            comment="Changed title.",
            sections=services.SectionChanges(saved=[PostSection(title="x", content="y", position=1)]),
            expected_version=7,
        )
    post.refresh_from_db()
    assert (post.title, post.version) == ("Kept", 1)
    assert positions(post) == [("kept", 1)]
    assert not revisions.post_versions(post).exists()


def test_a_failure_inside_the_save_rolls_back_the_post_and_its_sections(editor):
    post = PostFactory(title="Kept", published=False)
    post.title = "Lost"
    broken = PostSection(title="x", content="y", position=1, content_type="no such type")
    with pytest.raises(IntegrityError):
        services.save_post(post, editor, comment="x", sections=services.SectionChanges(saved=[broken]))
    post.refresh_from_db()
    assert (post.title, post.version, post.sections.count()) == ("Kept", 1, 0)


def test_an_llm_note_lists_the_interaction_on_the_substage_it_served():
    post = PostFactory(published=False)
    services.save_post(
        post, None, comment="LLM summary applied.", update_fields=[], llm=services.LlmNote("summary_seo", 41)
    )
    post.refresh_from_db()
    state = workflow.read_state(post.workflow_stage, post.stage_data)
    assert state.substage("summary_seo").llm_interactions == [41]
