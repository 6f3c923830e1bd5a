"""Query budgets of the post admin: the same few queries whatever the number of posts or sections."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from content.models import PostSection
from content.tests.factories import PostFactory, TagFactory

pytestmark = pytest.mark.django_db


def changelist_queries(admin_client) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get(reverse("admin:content_post_changelist"))
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_changelist_budget_does_not_grow_with_posts(admin_client):
    tags = [TagFactory() for _ in range(3)]
    for _ in range(5):
        PostFactory(tags=tags)
    few, _ = changelist_queries(admin_client)
    for _ in range(60):
        PostFactory(tags=tags)
    many, html = changelist_queries(admin_client)
    assert many == few <= 10
    assert html.count('class="action-select"') == 50  # one page of rows, not all 65


def test_change_page_with_50_sections_budget(admin_client):
    post = PostFactory(tags=[TagFactory() for _ in range(5)])
    PostSection.objects.bulk_create(
        PostSection(post=post, position=n, title=f"Part {n}", content=f"Text {n}") for n in range(1, 51)
    )
    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get(reverse("admin:content_post_change", args=[post.pk]))
    assert response.status_code == 200
    assert len(queries) <= 20
    html = response.content.decode()
    assert 'id="id_sections-49-title"' in html and 'id="id_sections-50-title"' not in html
