"""Post pages are rendered once per version of the rows they are made from (content.site.rendered_posts), and
never shown older than those rows, whatever wrote them: each test below writes with raw SQL, as a restore or a
hand edit would, in the same transaction that read the page (the hardest case: one transaction id)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from content import stored_html
from content.site import post_page, rendered_posts
from content.site.kept_pages import BoundedPages
from content.tests.factories import ImageSectionFactory, PostFactory, SectionFactory, TagFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _page_cache_off(settings):
    settings.PUBLIC_CACHE_SECONDS = 0
    rendered_posts.kept.clear()


@pytest.fixture
def renders(monkeypatch):
    """How many times the post page was rendered (its context built)."""
    calls = []
    real = post_page.context

    def counted(post, *, preview):
        calls.append(post.slug)
        return real(post, preview=preview)

    monkeypatch.setattr(post_page, "context", counted)
    return calls


@pytest.fixture
def post():
    post = PostFactory(title="Harbour notes", content="An *introduction*.", tags=[TagFactory(name="boats")])
    SectionFactory(post=post, position=1, title="Morning", content="Fog over the water.")
    ImageSectionFactory(post=post, position=2, title="Gulls", image__alt_text="Three gulls on a post")
    stored_html.store_for_posts([post.pk])
    return post


def page(client, post) -> str:
    response = client.get(post.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def write(statement: str, post_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, {"post": post_id})


def test_an_unchanged_post_is_rendered_once_and_costs_one_query(client, post, renders):
    first = page(client, post)
    with CaptureQueriesContext(connection) as queries:
        assert page(client, post) == first
    assert renders == [post.slug]
    # The content state (PAGE_CACHE_LISTEN is off in tests), then the post's row and digest, nothing else.
    assert len(queries) == 2 and "post_page_digest" in queries[1]["sql"]


CHANGES = {
    "post": ("UPDATE post SET title = 'Harbour diary' WHERE id = %(post)s", "Harbour diary"),
    "introduction's stored HTML": (
        "UPDATE post_intro_html SET html = '<p>Stored intro</p>' WHERE post_id = %(post)s",
        "Stored intro",
    ),
    "tag name": (
        "UPDATE tag SET name = 'ships' WHERE id IN (SELECT tag_id FROM post_tags WHERE post_id = %(post)s)",
        ">ships</a>",
    ),
    "tag link": ("DELETE FROM post_tags WHERE post_id = %(post)s", ">boats</a>"),
    "section": ("UPDATE post_section SET content = 'Rain at noon.' WHERE post_id = %(post)s", "Rain at noon."),
    "section's stored HTML": (
        "UPDATE post_section_html SET html = '<section>Stored copy</section>'"
        " WHERE section_id IN (SELECT id FROM post_section WHERE post_id = %(post)s)",
        "Stored copy",
    ),
    "image": (
        "UPDATE image SET alt_text = 'Four gulls'"
        " WHERE id IN (SELECT image_id FROM post_section WHERE post_id = %(post)s)",
        'alt="Four gulls"',
    ),
    "new section": (
        "INSERT INTO post_section (post_id, position, title, subtitle, content, content_type, keywords,"
        " social_media_snippets, created_at, updated_at)"
        " VALUES (%(post)s, 3, 'Evening', '', 'Lights on the pier.', 'text', '[]', 'null', now(), now())",
        "Lights on the pier.",
    ),
    "removed section": ("DELETE FROM post_section WHERE post_id = %(post)s AND position = 1", "Fog over the water."),
}
GONE = ("tag link", "removed section")


@pytest.mark.parametrize("change", list(CHANGES))
def test_a_write_to_any_row_of_the_page_shows_at_once(client, post, renders, change):
    before = page(client, post)
    statement, sign = CHANGES[change]
    write(statement, post.pk)
    after = page(client, post)
    assert len(renders) == 2
    assert (sign in before, sign in after) == ((True, False) if change in GONE else (False, True))


def test_each_version_is_rendered_once_even_when_the_same_transaction_writes_twice(client, post, renders):
    page(client, post)
    for title in ("First", "Second", "First"):
        write(f"UPDATE post SET title = '{title}' WHERE id = %(post)s", post.pk)
        assert f"<h1>{title}</h1>" in page(client, post)
    assert len(renders) == 4


def test_other_settings_render_the_page_again(client, post, settings, renders):
    assert "Harbour Weekly" not in page(client, post)
    settings.SITE_NAME = "Harbour Weekly"
    assert "Harbour Weekly" in page(client, post)
    assert len(renders) == 2


def test_previews_are_never_kept(staff_client):
    draft = PostFactory(title="A draft", published=False)
    response = staff_client.get(draft.get_absolute_url())
    assert response.status_code == 200 and "Preview: readers cannot see this post." in response.content.decode()
    assert rendered_posts.kept.get(draft.slug) is None


def test_the_least_recently_used_pages_go_first_past_the_size_limit():
    kept = BoundedPages(max_bytes=10, size=lambda rendered: len(rendered.content))
    for slug in ("a", "b", "c"):
        kept.put(slug, rendered_posts._Rendered("digest", (), b"1234"))
    assert kept.get("a") is None and kept.size == 8
    kept.get("b")  # now the most recently used
    kept.put("d", rendered_posts._Rendered("digest", (), b"1234"))
    assert kept.get("c") is None and kept.get("b") is not None and kept.get("d") is not None
    kept.put("e", rendered_posts._Rendered("digest", (), b"12345678901"))  # larger than the whole allowance
    assert kept.get("e") is None and kept.size == 8
