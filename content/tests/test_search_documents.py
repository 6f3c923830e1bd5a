"""The per-post search documents PostgreSQL keeps (migration content/0010): what they hold, when they change."""

import threading
from datetime import timedelta

import pytest
from django.contrib.postgres.search import SearchQuery
from django.db import connection, connections, transaction
from django.utils import timezone

from content.editorial import trash
from content.models import Post, PostSearchDocument, PostSection
from content.tests.factories import PostFactory, SectionFactory
from content.tests.site.test_search import result_titles

pytestmark = pytest.mark.django_db


def found(post: Post, words: str) -> bool:
    query = SearchQuery(words, config="english", search_type="websearch")
    return PostSearchDocument.objects.filter(post=post, document=query).exists()


def test_a_new_post_has_a_document_of_its_own_fields():
    post = PostFactory(title="Lighthouse keepers", subtitle="On duty", summary="x", content="Gulls at dawn.")
    assert found(post, "lighthouse") and found(post, "duty") and found(post, "gulls")
    assert not found(post, "walrus")


def test_the_document_follows_every_kind_of_write():
    post = PostFactory(title="Travels", summary="x")
    section = SectionFactory(post=post, position=1, content="a heron")
    assert found(post, "heron")
    PostSection.objects.filter(pk=section.pk).update(content="a stork")  # no save(), no signal
    assert found(post, "stork") and not found(post, "heron")
    PostSection.objects.bulk_create(
        [PostSection(post=post, position=2, content="a crane"), PostSection(post=post, position=3, title="Ibis")]
    )
    assert found(post, "crane") and found(post, "ibis")
    PostSection.objects.filter(post=post, position=2).delete()
    assert not found(post, "crane") and found(post, "stork ibis")
    Post.objects.filter(pk=post.pk).update(title="Journeys")
    assert found(post, "journeys") and not found(post, "travels") and found(post, "stork")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE post_section SET subtitle = 'Egrets' WHERE id = %s", [section.pk])
    assert found(post, "egrets")


def test_a_section_moved_to_another_post_takes_its_words_along():
    first, second = PostFactory(title="First"), PostFactory(title="Second")
    section = SectionFactory(post=first, content="a pelican")
    PostSection.objects.filter(pk=section.pk).update(post=second)
    assert not found(first, "pelican") and found(second, "pelican")


def test_truncating_sections_leaves_each_post_its_own_words():
    post = PostFactory(title="Harbour", summary="x")
    SectionFactory(post=post, content="a cormorant")
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # TRUNCATE refuses pending foreign key checks
        cursor.execute("TRUNCATE post_section CASCADE")
    assert found(post, "harbour") and not found(post, "cormorant")


def test_visibility_copies_follow_publishing_scheduling_and_trash(client):
    post = PostFactory(title="Seal", summary="x")
    visibility = ("published", "published_at", "deleted_at")

    def visible() -> bool:
        copies = PostSearchDocument.objects.values_list(*visibility).get(post=post)
        assert copies == Post.objects.values_list(*visibility).get(pk=post.pk)
        return result_titles(client, "seal") == ["Seal"]

    assert visible()
    Post.objects.filter(pk=post.pk).update(published=False)
    assert not visible()
    Post.objects.filter(pk=post.pk).update(published=True, published_at=timezone.now() + timedelta(hours=1))
    assert not visible()
    Post.objects.filter(pk=post.pk).update(published_at=timezone.now() - timedelta(hours=1))
    assert visible()
    Post.objects.filter(pk=post.pk).update(deleted_at=timezone.now())
    assert not visible()


def test_trash_hides_the_post_and_purge_removes_its_document(client, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "pass-word-123")
    post = PostFactory(title="Puffin colony", summary="x")
    SectionFactory(post=post, content="Puffins nest here.")
    trash.trash_post(post.pk, admin)
    assert found(post, "puffin") and result_titles(client, "puffin") == []  # only live posts are shown
    trash.restore_post(post.pk, admin)
    assert result_titles(client, "puffin") == ["Puffin colony"]
    trash.trash_post(post.pk, admin)
    trash.purge_post(post.pk, admin)
    assert not PostSearchDocument.objects.filter(post_id=post.pk).exists()


def test_a_huge_post_saves_and_its_document_covers_its_first_200_kb(client):
    """Twenty sections of 60,000 characters of distinct words: more than one tsvector can hold (1 MB)."""
    post = PostFactory(title="Encyclopaedia", summary="x")
    for number in range(1, 21):
        words = " ".join(f"s{number}w{index}" for index in range(8_000))[:60_000]
        SectionFactory(post=post, position=number, content=words)
    assert found(post, "s1w5") and found(post, "s3w5")
    assert not found(post, "s4w5") and not found(post, "s20w5")  # past the budget: not in the document
    assert result_titles(client, "s1w5") == ["Encyclopaedia"]


def test_search_reads_documents_only_through_their_index(client):
    """On a table this small the planner would scan it all, which on a real site means reading every
    document from TOAST; search_post_page() forbids that."""
    for number in range(30):
        PostFactory(title=f"Post {number}", summary="x")
    PostFactory(title="Albatross", summary="x")

    def scans() -> tuple[int, int]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT seq_scan, idx_scan FROM pg_stat_xact_user_tables WHERE relname = 'post_search'")
            return cursor.fetchone()

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE post_search")  # the planner now knows the table is one page
    seq_before, index_before = scans()
    assert result_titles(client, "albatross") == ["Albatross"]
    seq_after, index_after = scans()
    assert seq_after == seq_before and index_after > index_before


@pytest.mark.django_db(transaction=True)
def test_concurrent_edits_of_one_post_both_reach_its_document():
    post = PostFactory(title="Shared", summary="x")
    first = SectionFactory(post=post, position=1, content="nothing yet")
    second = SectionFactory(post=post, position=2, content="nothing yet")
    finished = threading.Event()

    def edit_second_section():
        try:
            with transaction.atomic():
                PostSection.objects.filter(pk=second.pk).update(content="a kingfisher")
        finally:
            connections.close_all()
            finished.set()

    with transaction.atomic():
        PostSection.objects.filter(pk=first.pk).update(content="a cormorant")
        other = threading.Thread(target=edit_second_section)
        other.start()
        assert not finished.wait(0.5)  # it waits for this transaction's lock on the document
    other.join(30)
    assert finished.is_set()
    assert found(post, "cormorant") and found(post, "kingfisher")
