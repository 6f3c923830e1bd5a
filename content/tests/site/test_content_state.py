"""The content-state watcher: changes committed anywhere reach it, and pages never depend on it being up.

These tests commit (transaction=True): a notification is only ever sent at commit.
"""

import time
from collections.abc import Callable
from datetime import timedelta

import psycopg
import pytest
from django.db import connection
from django.utils import timezone

from content.site import content_state as content_state_module
from content.site.content_state import ContentStateWatcher, content_state, listener_params, process_watcher
from content.tests.factories import PostFactory

pytestmark = pytest.mark.django_db(transaction=True)


def wait_for(condition: Callable[[], object], seconds: float = 5.0) -> object:
    """Poll ``condition`` until it returns something true; fail after ``seconds``."""
    deadline = time.monotonic() + seconds
    while not (result := condition()):
        assert time.monotonic() < deadline, f"not within {seconds} s"
        time.sleep(0.005)
    return result


def other_session() -> psycopg.Connection:
    """A PostgreSQL session of its own, as another web process or a psql shell would have."""
    params = listener_params()
    params.pop("application_name")
    return psycopg.connect(**params, autocommit=True)


@pytest.fixture
def watcher():
    running = ContentStateWatcher(listener_params(), heartbeat=30, backoff=(1.0, 1.0)).start()
    yield running
    running.stop()


@pytest.fixture
def listening(settings, watcher, monkeypatch):
    """The page cache uses ``watcher`` as this process's watcher."""
    settings.PAGE_CACHE_LISTEN = True
    monkeypatch.setattr(content_state_module, "_watcher", watcher)
    wait_for(watcher.state)
    return watcher


def caught_up(watcher: ContentStateWatcher) -> Callable[[], bool]:
    """Whether ``watcher`` holds the state the database has now."""
    return lambda: watcher.state() == content_state()


def test_a_change_committed_in_another_session_is_seen_within_a_bounded_wait(watcher):
    post = PostFactory()
    wait_for(caught_up(watcher))
    before = watcher.state()
    with other_session() as other:
        other.execute("UPDATE post SET title = 'Changed elsewhere' WHERE id = %s", [post.pk])
    after = content_state()
    assert after.rows[post.pk].generation != before.rows[post.pk].generation
    wait_for(lambda: watcher.state() == after, seconds=2)


def test_an_uncommitted_change_is_never_seen(watcher):
    post = PostFactory()
    wait_for(caught_up(watcher))
    before = watcher.state()
    with other_session() as other:
        with other.transaction():
            other.execute("UPDATE post SET title = 'Not yet' WHERE id = %s", [post.pk])
            time.sleep(0.3)
            assert watcher.state() == before
        after = content_state()
    assert after != before
    wait_for(lambda: watcher.state() == after, seconds=2)


def test_a_cached_hit_needs_no_query_while_the_watcher_is_healthy(client, listening, django_assert_num_queries):
    post = PostFactory(title="First title")
    url = post.get_absolute_url()
    wait_for(caught_up(listening))  # the factory's commit has been notified
    assert "First title" in client.get(url).content.decode()
    with django_assert_num_queries(0):
        assert "First title" in client.get(url).content.decode()
    with other_session() as other:
        other.execute("UPDATE post SET title = 'Second title' WHERE id = %s", [post.pk])
    wait_for(lambda: "Second title" in client.get(url).content.decode(), seconds=2)


def test_a_killed_listener_falls_back_to_queries_and_recovers(client, listening, django_assert_num_queries):
    post = PostFactory(title="Before the outage")
    url = post.get_absolute_url()
    wait_for(caught_up(listening))
    client.get(url)
    killed = listening.backend_pid
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [killed])
    wait_for(lambda: listening.state() is None, seconds=2)

    # Reconnecting waits a second (the backoff): meanwhile every page asks the database.
    with other_session() as other:
        other.execute("UPDATE post SET title = 'During the outage' WHERE id = %s", [post.pk])
    with django_assert_num_queries(2):  # content state, then a render: the post with its sections and tags
        assert "During the outage" in client.get(url).content.decode()
    with django_assert_num_queries(1):
        assert "During the outage" in client.get(url).content.decode()
    assert listening.state() is None

    wait_for(listening.state, seconds=5)
    assert listening.backend_pid != killed
    with django_assert_num_queries(0):
        assert "During the outage" in client.get(url).content.decode()


def test_a_scheduled_post_goes_live_on_time_though_no_row_changes(client, listening):
    due = timezone.now() + timedelta(seconds=1.5)
    post = PostFactory(title="Scheduled soon", published_at=due)
    wait_for(lambda: listening.state() and listening.state().next_change == due)
    assert client.get(post.get_absolute_url()).status_code == 404
    assert "Scheduled soon" not in client.get("/").content.decode()
    time.sleep(max(0.0, (due - timezone.now()).total_seconds()) + 0.01)
    assert client.get(post.get_absolute_url()).status_code == 200
    assert "Scheduled soon" in client.get("/").content.decode()
    # The watcher read the state again when the post was due, without a notification.
    wait_for(lambda: listening.state() and listening.state().next_change is None, seconds=1)


def test_the_process_watcher_starts_on_first_use_and_stops_when_the_setting_is_turned_off(client, settings):
    post = PostFactory()
    settings.PAGE_CACHE_LISTEN = True
    assert content_state_module._watcher is None  # nothing started at import or by the setting
    client.get(post.get_absolute_url())
    started = process_watcher()
    assert started is content_state_module._watcher
    wait_for(started.state)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT application_name FROM pg_stat_activity WHERE pid = %s AND query ILIKE %s",
            [started.backend_pid, "%content_state()%"],
        )
        assert cursor.fetchone() == ("blog content-state watcher",)
    settings.PAGE_CACHE_LISTEN = False
    assert content_state_module._watcher is None and started.state() is None


def test_a_writer_sees_its_own_write_before_the_watcher_hears_of_it(client, listening, monkeypatch):
    """Without it a process that committed and read at once got the old page (3 of 5 tries)."""
    post = PostFactory(title="Before the edit")
    url = post.get_absolute_url()
    wait_for(caught_up(listening))
    assert "Before the edit" in client.get(url).content.decode()
    monkeypatch.setattr(listening, "_read", lambda listener: None)  # as if no notification had arrived yet
    assert listening.state() is not None
    for attempt in range(5):
        post.title = f"Edited {attempt}"
        post.save()  # committed: the page cache must not answer from the reading before it
        assert f"Edited {attempt}" in client.get(url).content.decode()
    assert listening.state() is None  # its reading is older than this process's own write
