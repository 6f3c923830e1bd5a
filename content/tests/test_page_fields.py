"""The post page's SQL functions (migration 0008) return exactly the fields ``content.page_fields`` names."""

import pytest
from django.db import connection

from content.page_fields import IMAGE_FIELDS, SECTION_FIELDS, TAG_FIELDS
from content.tests.factories import ImageSectionFactory, PostFactory, TagFactory

pytestmark = pytest.mark.django_db


def test_the_page_functions_return_the_named_fields_and_nothing_else():
    post = PostFactory(tags=[TagFactory(name="harbours")])
    ImageSectionFactory(post=post, position=1)
    with connection.cursor() as cursor:
        cursor.execute("SELECT post_sections_json(%s), post_tags_json(%s)", [post.pk, post.pk])
        sections, tags = cursor.fetchone()
    (section,) = sections
    assert set(section) == {*SECTION_FIELDS, "image", "stored_key", "stored_html"}
    assert set(section["image"]) == set(IMAGE_FIELDS)
    assert set(tags[0]) == set(TAG_FIELDS)
