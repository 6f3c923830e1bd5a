"""Constraints the database enforces, and the model-level rules for sections and slugs."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from content.models import Post, PostSection, SectionType, TaggedPost
from content.tests.factories import (
    AudioSectionFactory,
    ImageSectionFactory,
    PostFactory,
    SectionFactory,
    TagFactory,
    VideoSectionFactory,
)
from media_library.tests.factories import ImageFactory

pytestmark = pytest.mark.django_db


def immediate_constraints():
    """Check deferred constraints now, as a commit would."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def test_duplicate_slug_is_refused_by_the_database():
    PostFactory(slug="same")
    with pytest.raises(IntegrityError), transaction.atomic():
        Post.objects.bulk_create([Post(title="Other", slug="same", content="")])


def test_duplicate_position_is_refused_by_the_database_at_commit():
    section = SectionFactory(position=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        PostSection.objects.create(post=section.post, position=1, content="again")
        immediate_constraints()


def test_positions_may_collide_inside_a_transaction_until_commit():
    first = SectionFactory(position=1)
    second = SectionFactory(post=first.post, position=2)
    with transaction.atomic():
        PostSection.objects.filter(pk=first.pk).update(position=2)
        PostSection.objects.filter(pk=second.pk).update(position=1)
        immediate_constraints()
    assert list(first.post.sections.values_list("pk", flat=True)) == [second.pk, first.pk]


def test_unknown_content_type_is_refused_by_the_database():
    post = PostFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        PostSection.objects.create(post=post, position=1, content="x", content_type="podcast")


def test_deleting_a_post_cascades_to_sections_and_tag_links_in_the_database():
    post = PostFactory(tags=[TagFactory(name="django")])
    SectionFactory.create_batch(3, post=post)
    with connection.cursor() as cursor:  # the database itself, not Django's collector
        cursor.execute("DELETE FROM post WHERE id = %s", [post.pk])
    assert not PostSection.objects.filter(post_id=post.pk).exists()
    assert not TaggedPost.objects.filter(content_object_id=post.pk).exists()


def test_deleting_an_image_sets_sections_image_to_null_in_the_database():
    section = ImageSectionFactory()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM image WHERE id = %s", [section.image_id])
    section.refresh_from_db()
    assert section.image_id is None


def test_post_tags_holds_one_row_per_post_and_tag():
    post = PostFactory()
    tag = TagFactory(name="python")
    post.tags.add(tag)
    post.tags.add(tag)
    assert TaggedPost.objects.filter(content_object=post, tag=tag).count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        TaggedPost.objects.create(content_object=post, tag=tag)


def test_slug_is_made_from_the_title_and_made_unique():
    first = Post.objects.create(title="Hello, World!", content="")
    second = Post.objects.create(title="Hello world", content="")
    third = Post.objects.create(title="Hello world", content="")
    assert (first.slug, second.slug, third.slug) == ("hello-world", "hello-world-2", "hello-world-3")


def test_long_title_slug_stays_within_the_column():
    title = "x" * 200
    Post.objects.create(title=title, content="")
    second = Post.objects.create(title=title, content="")
    assert len(second.slug) <= 200
    assert second.slug.endswith("-2")


@pytest.mark.parametrize(
    ("factory", "missing_field"),
    [
        (SectionFactory, "content"),
        (ImageSectionFactory, "image"),
        (VideoSectionFactory, "video_url"),
        (AudioSectionFactory, "audio_url"),
    ],
)
def test_each_content_type_requires_its_field(factory, missing_field):
    section = factory.build(post=PostFactory(), **{missing_field: None if missing_field != "content" else ""})
    with pytest.raises(ValidationError) as error:
        section.full_clean()
    assert missing_field in error.value.message_dict


@pytest.mark.parametrize(
    ("content_type", "foreign_field", "value"),
    [
        (SectionType.TEXT, "video_url", "https://vimeo.com/1"),
        (SectionType.IMAGE, "audio_url", "https://example.org/a.mp3"),
        (SectionType.VIDEO, "audio_url", "https://example.org/a.mp3"),
        (SectionType.AUDIO, "video_url", "https://vimeo.com/1"),
        (SectionType.TEXT, "duration", 10),
    ],
)
def test_a_section_may_not_carry_another_types_fields(content_type, foreign_field, value):
    fields = {
        "content": "text",
        "image": ImageFactory(),
        "video_url": "https://vimeo.com/2",
        "audio_url": "https://example.org/b.mp3",
    }
    kept = {"text": "content", "image": "image", "video": "video_url", "audio": "audio_url"}[content_type]
    section = PostSection(post=PostFactory(), position=1, content_type=content_type, **{kept: fields[kept]})
    setattr(section, foreign_field, value)
    with pytest.raises(ValidationError) as error:
        section.full_clean()
    assert foreign_field in error.value.message_dict


def test_valid_sections_of_every_type_pass_validation():
    post = PostFactory()
    for factory in (SectionFactory, ImageSectionFactory, VideoSectionFactory, AudioSectionFactory):
        factory(post=post).full_clean()
    assert post.sections.count() == 4


def test_timestamps_are_maintained():
    post = PostFactory()
    created, updated = post.created_at, post.updated_at
    post.title = "Changed"
    post.save()
    post.refresh_from_db()
    assert post.created_at == created
    assert post.updated_at > updated


def test_live_excludes_drafts_trashed_and_future_posts():
    from datetime import timedelta

    from django.utils import timezone

    visible = PostFactory()
    PostFactory(published=False)
    PostFactory(deleted_at=timezone.now())
    PostFactory(published_at=timezone.now() + timedelta(days=1))
    assert list(Post.objects.live()) == [visible]
