"""Query budgets of public pages: the same few queries whatever the number of sections, tags or posts.

Every first request below misses the page cache (the content just changed), so the
budgets are those of a full render; a cache hit costs one query.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from content.models import PostSection, SectionType
from content.tests.factories import PostFactory, TagFactory
from media_library.models import Image

pytestmark = pytest.mark.django_db


def post_with(sections: int, tags: int):
    post = PostFactory(tags=[TagFactory() for _ in range(tags)])
    images = Image.objects.bulk_create(
        Image(
            filename=f"images/b/{post.pk}-{n}.png",
            original_filename="x.png",
            path=f"images/b/{post.pk}-{n}.png",
            alt_text=f"Picture {n}",
            image_metadata={"width": 640, "height": 480, "renditions": {"480": f"r/{n}.webp"}},
        )
        for n in range(sections)
    )
    PostSection.objects.bulk_create(
        PostSection(post=post, position=n + 1, title=f"Part {n}", content_type=SectionType.IMAGE, image=image)
        for n, image in enumerate(images)
    )
    return post


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize(("sections", "tags"), [(1, 1), (200, 20)])
def test_post_page_budget(client, django_assert_max_num_queries, sections, tags):
    post = post_with(sections, tags)
    with django_assert_max_num_queries(2):  # the content state, then the post with its sections and tags
        html = client.get(post.get_absolute_url()).content.decode()
    assert html.count('alt="Picture ') == sections
    with django_assert_max_num_queries(1):  # served from the page cache
        assert client.get(post.get_absolute_url()).status_code == 200


def test_post_page_costs_the_same_for_1_and_200_sections(client):
    small, large = post_with(1, 1), post_with(200, 20)
    assert count_queries(client, small.get_absolute_url()) == count_queries(client, large.get_absolute_url())


def page_of_posts(count: int = 20):
    tags = [TagFactory() for _ in range(5)]
    posts = [PostFactory(tags=tags) for _ in range(count)]
    for post in posts:
        image = Image.objects.create(
            filename=f"images/l/{post.pk}.png",
            original_filename="l.png",
            path=f"images/l/{post.pk}.png",
            alt_text=f"Lead of {post.pk}",
        )
        PostSection.objects.create(post=post, position=1, content_type=SectionType.IMAGE, image=image)
    return tags[0]


@pytest.mark.parametrize("url", ["/", "/tags/{tag}/", "/feed/", "/feed/atom/", "/tags/{tag}/feed/"])
def test_list_pages_budget_for_a_page_of_20_posts(client, settings, django_assert_max_num_queries, url):
    settings.POSTS_PER_PAGE = 20
    tag = page_of_posts()
    url = url.format(tag=tag.slug)
    with django_assert_max_num_queries(4):
        html = client.get(url).content.decode()
    if "/feed" in url:
        assert html.count("<item>") + html.count("<entry>") == 20
    else:
        assert html.count('alt="Lead of ') == 20 and html.count('class="tag"') == 20 * 5


def test_search_budget(client, settings, django_assert_max_num_queries):
    settings.POSTS_PER_PAGE = 20
    page_of_posts()
    with django_assert_max_num_queries(3):
        html = client.get("/search/", {"q": "post number"}).content.decode()
    assert html.count('class="post-card"') == 20
