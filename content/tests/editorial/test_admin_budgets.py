"""Query budgets of the post admin: the same few queries whatever the number of posts or sections."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from content.models import PostSection
from content.tests.factories import ImageSectionFactory, PostFactory, SectionFactory, TagFactory

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


def change_page_queries(client, sections: int) -> int:
    post = PostFactory(tags=[TagFactory() for _ in range(5)])
    for n in range(1, sections + 1):
        if n % 3:
            SectionFactory(post=post, position=n, title=f"Part {n}")
        else:
            ImageSectionFactory(post=post, position=n, title=f"Picture {n}", image__alt_text="" if n % 2 else "Alt")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("admin:content_post_change", args=[post.pk]))
    assert response.status_code == 200
    assert response.content.decode().count('class="chosen-image"') == sections // 3
    return len(queries)


def test_change_page_queries_do_not_grow_with_sections_or_images(admin_client):
    change_page_queries(admin_client, 3)  # the first request reads what later ones find cached (content types)
    assert change_page_queries(admin_client, 50) == change_page_queries(admin_client, 5) <= 20


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
