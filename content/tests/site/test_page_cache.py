"""The page cache is never stale: after any write, from any process, by any path."""

import gzip
import os
import time
import uuid
from datetime import timedelta

import psycopg
import pytest
from django.db import connection, transaction
from django.utils import timezone

from content.models import Post, PostSection
from content.site.content_state import content_state
from content.tests.factories import ImageSectionFactory, PostFactory, SectionFactory, TagFactory

pytestmark = pytest.mark.django_db


def body(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_a_second_request_is_a_cache_hit(client, django_assert_num_queries):
    post = PostFactory()
    first = client.get(post.get_absolute_url())
    with django_assert_num_queries(1):
        second = client.get(post.get_absolute_url())
    assert second.content == first.content and second["ETag"] == first["ETag"]


def test_edit_publish_unpublish_trash_and_delete_show_at_once(client):
    post = PostFactory(title="Before")
    url = post.get_absolute_url()
    assert "Before" in body(client, url) and "Before" in body(client, "/")
    post.title = "After"
    post.save()
    assert "After" in body(client, url) and "After" in body(client, "/")
    post.published = False
    post.save()
    assert client.get(url).status_code == 404 and "After" not in body(client, "/")
    post.published = True
    post.save()
    assert "After" in body(client, url)
    post.deleted_at = timezone.now()
    post.save()
    assert client.get(url).status_code == 404
    post.deleted_at = None
    post.save()
    assert "After" in body(client, "/")
    post.delete()
    assert client.get(url).status_code == 404 and "After" not in body(client, "/")


def test_writes_that_send_no_signals_are_seen(client):
    """queryset.update, database cascades and tag or image edits all change the pages."""
    tag = TagFactory(name="old tag name")
    post = PostFactory(tags=[tag])
    section = SectionFactory(post=post, content="first words")
    image_section = ImageSectionFactory(post=post, image__alt_text="old alt")
    url = post.get_absolute_url()
    assert "first words" in body(client, url)
    PostSection.objects.filter(pk=section.pk).update(content="second words")
    assert "second words" in body(client, url)
    image_section.image.__class__.objects.filter(pk=image_section.image_id).update(alt_text="new alt")
    assert 'alt="new alt"' in body(client, url)
    tag.__class__.objects.filter(pk=tag.pk).update(name="new tag name")
    assert "new tag name" in body(client, url) and "new tag name" in body(client, "/")
    image_section.image.delete()  # ON DELETE SET NULL in the database, no signal for the section
    assert 'alt="new alt"' not in body(client, url)


@pytest.mark.django_db(transaction=True)
def test_a_write_from_another_database_session_is_seen(client):
    """Another process (here: another PostgreSQL session, no Django involved) edits the post."""
    post = PostFactory(title="Seen by this process")
    assert "Seen by this process" in body(client, post.get_absolute_url())
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params, autocommit=True) as other:
        other.execute("UPDATE post SET title = 'Changed elsewhere' WHERE id = %s", [post.pk])
    assert "Changed elsewhere" in body(client, post.get_absolute_url())


def test_a_scheduled_post_appears_when_due_without_any_write(client):
    due = timezone.now() + timedelta(seconds=1.5)
    post = PostFactory(title="Scheduled soon", published_at=due)
    assert content_state().next_change == due
    assert "Scheduled soon" not in body(client, "/")
    assert client.get(post.get_absolute_url()).status_code == 404
    time.sleep(max(0.0, (due - timezone.now()).total_seconds()) + 0.05)
    assert "Scheduled soon" in body(client, "/")
    assert client.get(post.get_absolute_url()).status_code == 200


def test_conditional_get_answers_304_until_the_content_changes(client):
    post = PostFactory(title="Revalidated")
    first = client.get(post.get_absolute_url())
    etag = first["ETag"]
    assert "no-cache" in first["Cache-Control"] and "public" in first["Cache-Control"]
    not_modified = client.get(post.get_absolute_url(), HTTP_IF_NONE_MATCH=etag)
    assert not_modified.status_code == 304 and not_modified.content == b""
    post.summary = "Changed summary."
    post.save()
    changed = client.get(post.get_absolute_url(), HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert "Changed summary." in changed.content.decode()


def generation(post: Post) -> int:
    """The post's generation, which its page's cache key names."""
    return content_state().rows[post.pk].generation


def test_a_rolled_back_write_never_brings_an_old_generation_back():
    post = PostFactory()
    before = generation(post)
    with pytest.raises(RuntimeError), transaction.atomic():
        post.save()
        inside = generation(post)
        raise RuntimeError
    assert generation(post) == before != inside
    post.save()
    assert generation(post) not in (before, inside)


def test_redis_cache_is_used_and_stays_fresh(client, settings):
    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        import redis

        redis.Redis.from_url(url).ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("CI"):
            pytest.fail(f"Redis is not reachable at {url}")
        pytest.skip(f"Redis is not reachable at {url}; set REDIS_URL to test the shared cache.")
    prefix = f"test-{uuid.uuid4().hex}"  # never flush: REDIS_URL may point at a cache in use
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url, "KEY_PREFIX": prefix}
    }
    server = redis.Redis.from_url(url)
    try:
        post = PostFactory(title="In Redis")
        assert "In Redis" in body(client, post.get_absolute_url())
        assert server.keys(f"{prefix}:*public-page*"), "the page was not stored in Redis"
        Post.objects.filter(pk=post.pk).update(title="Fresh from Redis")
        assert "Fresh from Redis" in body(client, post.get_absolute_url())
    finally:
        for key in server.scan_iter(f"{prefix}:*"):
            server.delete(key)


def test_after_restoring_an_older_state_the_next_write_uses_a_new_generation():
    post = PostFactory()
    latest = generation(post)
    with connection.cursor() as cursor:  # what restoring an old backup leaves behind
        cursor.execute("UPDATE post_generation SET generation = 1000 WHERE post_id = %s", [post.pk])
    post.save()
    assert generation(post) > latest


def test_clients_accepting_gzip_get_the_stored_compressed_copy(client):
    post = PostFactory(title="Compressed once")
    SectionFactory(post=post, content="Words worth compressing. " * 40)
    url = post.get_absolute_url()
    plain = client.get(url)
    assert "Content-Encoding" not in plain and "Accept-Encoding" in plain["Vary"]
    for _ in range(2):  # the miss (stored just now) and a hit answer alike
        packed = client.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
        assert packed["Content-Encoding"] == "gzip"
        assert gzip.decompress(packed.content) == plain.content
        assert len(packed.content) < len(plain.content) / 3
        assert packed["ETag"] == f"W/{plain['ETag']}" and "Accept-Encoding" in packed["Vary"]
    revalidated = client.get(url, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=packed["ETag"])
    assert revalidated.status_code == 304


def test_with_caching_off_pages_are_neither_stored_nor_compressed(client, settings):
    settings.PUBLIC_CACHE_SECONDS = 0
    post = PostFactory(title="Not kept")
    response = client.get(post.get_absolute_url(), HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200 and "Content-Encoding" not in response
    assert "Not kept" in response.content.decode()
