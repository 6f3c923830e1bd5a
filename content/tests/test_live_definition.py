"""One definition of "live": the SQL that decides visibility agrees with ``Post.objects.live()``.

Readers' lists use the manager; search (``search_post_page``, migration 0010), the page cache's lists and
next change (``post_list_state``, ``content_state``, migration 0012, and ``ContentState`` in Python) and the
lists' partial index (migration 0006) carry the same rule. Every combination of the columns that decide it is tried.
"""

import itertools
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from content.models import Post
from content.site import selectors
from content.site.content_state import content_state
from content.tests.factories import PostFactory

pytestmark = pytest.mark.django_db

WORD = "cormorant"


@pytest.fixture
def every_state():
    now = timezone.now()
    published = (True, False, None)
    published_at = (None, now - timedelta(days=1), now + timedelta(days=1), now + timedelta(days=2))
    deleted_at = (None, now - timedelta(hours=1))
    posts = []
    for number, (pub, at, deleted) in enumerate(itertools.product(published, published_at, deleted_at)):
        post = PostFactory(title=f"{WORD} {number}")
        Post.objects.filter(pk=post.pk).update(published=pub, published_at=at, deleted_at=deleted)
        posts.append(post)
    return posts


def test_search_finds_exactly_the_live_posts(every_state):
    with connection.cursor() as cursor:
        cursor.execute("SELECT post_id FROM search_post_page(websearch_to_tsquery('english', %s), 1000, 0)", [WORD])
        found = {row[0] for row in cursor.fetchall()}
    assert found == set(Post.objects.live().values_list("pk", flat=True))
    assert found  # the corpus has live posts


def test_the_next_change_is_the_first_post_that_will_become_live(every_state):
    becoming_live = (
        Post.objects.alive().filter(published=True, published_at__gt=timezone.now()).order_by("published_at").first()
    )
    assert content_state().next_change == becoming_live.published_at
    assert not Post.objects.live().filter(pk=becoming_live.pk).exists()


def test_the_page_cache_lists_exactly_the_live_posts_in_their_order(every_state):
    live = list(selectors.live_posts().values_list("pk", flat=True))
    with connection.cursor() as cursor:
        cursor.execute("SELECT post_ids FROM post_list_state(NULL, 1, NULL)")
        assert cursor.fetchone()[0] == live
    assert [row.post_id for row in content_state().live] == live
    assert len(live) > 1


def test_the_lists_index_covers_every_live_post(every_state):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_expr(i.indpred, i.indrelid) FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = 'post_live_published'"
        )
        (predicate,) = cursor.fetchone()
        cursor.execute(f"SELECT id FROM post WHERE {predicate}")
        indexed = {row[0] for row in cursor.fetchall()}
    assert set(Post.objects.live().values_list("pk", flat=True)) <= indexed
