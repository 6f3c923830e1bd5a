"""Full-text search: what matches, in which order, highlighted, and bad queries."""

import pytest
from django.db import connection

from content import search
from content.models import PostSection
from content.tests.factories import PostFactory, SectionFactory

pytestmark = pytest.mark.django_db


def result_titles(client, query: str) -> list[str]:
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    page = response.context["page"]
    return [post.title for post in page.object_list] if page else []


def test_matches_every_field_and_section_text(client):
    PostFactory(title="Kayaks at sea", summary="x")
    PostFactory(title="Second", subtitle="About kayaks", summary="x")
    PostFactory(title="Third", summary="We took a kayak out.")
    PostFactory(title="Fourth", summary="x", content="Paddling a kayak is calm.")
    SectionFactory(post=PostFactory(title="Fifth", summary="x"), title="Kayak trip")
    SectionFactory(post=PostFactory(title="Sixth", summary="x"), content="Deep in a section: **kayaking**.")
    PostFactory(title="Unrelated", summary="Mountains.")
    titles = result_titles(client, "kayak")
    assert set(titles) == {"Kayaks at sea", "Second", "Third", "Fourth", "Fifth", "Sixth"}
    assert titles[0] == "Kayaks at sea"  # a title match outranks one deep in a section


def test_hidden_posts_are_never_found(client):
    from django.utils import timezone

    PostFactory(title="Hidden draft zebra", published=False)
    PostFactory(title="Hidden trashed zebra", deleted_at=timezone.now())
    PostFactory(title="Hidden future zebra", published_at=timezone.now() + timezone.timedelta(days=1))
    PostFactory(title="Visible zebra")
    assert result_titles(client, "zebra") == ["Visible zebra"]


def test_section_edits_reach_the_index_without_any_hook(client):
    section = SectionFactory(post=PostFactory(title="Indexed"), content="nothing special")
    assert result_titles(client, "quokka") == []
    PostSection.objects.filter(pk=section.pk).update(content="a quokka appears")  # no signal, no save()
    assert result_titles(client, "quokka") == ["Indexed"]


def test_results_are_highlighted_and_escaped(client):
    SectionFactory(
        post=PostFactory(title="Otters everywhere", summary="x"),
        content="<script>alert('otter')</script> Otters hold hands <b onmouseover=x>while</b> sleeping.",
    )
    html = client.get("/search/", {"q": "otters"}).content.decode()
    assert "<mark>Otters</mark> everywhere" in html
    assert "<mark>Otters</mark> hold hands" in html
    assert "<script>alert" not in html and "onmouseover=x>" not in html
    assert "alert(&#x27;otter&#x27;)" in html  # ts_headline drops tags; what is left is escaped text


def test_highlight_keeps_only_balanced_marks():
    marked = f"a {search.START}b{search.STOP} c {search.START}<i>d {search.STOP}{search.START}"
    assert search.highlight(marked) == "a <mark>b</mark> c <mark>&lt;i&gt;d </mark>"
    assert search.highlight(f"## **{search.START}bold{search.STOP}** `code`") == " <mark>bold</mark> code"


@pytest.mark.parametrize(
    "query",
    [
        '"unterminated phrase',
        "''; DROP TABLE post; --",
        "\\\\ back\\slashes \\",
        "a & b | !c <-> d:* (",
        "the and of",  # only stop words
        "-",
        "\x00nul\x00",
        "x" * 10_000,
        "word " * 2_000,
        "💡 ünïcödé ‮ right-to-left",
    ],
)
def test_bad_queries_give_a_normal_page(client, query):
    PostFactory(title="Something to search")
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    assert len(response.context["query"]) <= search.MAX_QUERY_CHARS
    assert "\x00" not in response.content.decode()


def test_empty_query_shows_help_without_querying(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/search/", {"q": "   "})
    assert response.status_code == 200 and "Type a few words" in response.content.decode()


def test_search_documents_have_gin_indexes():
    indexes = [("post", "post_search_vector", "search_vector"), ("post_search", "post_search_document", "document")]
    for table, name, column in indexes:
        with connection.cursor() as cursor:
            constraints = connection.introspection.get_constraints(cursor, table)
        assert constraints[name]["type"] == "gin" and constraints[name]["columns"] == [column]


def test_results_are_paginated_from_one_ranked_list(client, settings, django_assert_max_num_queries):
    settings.POSTS_PER_PAGE = 5
    for number in range(12):
        SectionFactory(post=PostFactory(title=f"Post {number:02d}", summary="x"), content="a walrus")
    top = PostFactory(title="Walrus in the title", summary="x")
    pages = []
    for page in (1, 2, 3):
        with django_assert_max_num_queries(3):
            response = client.get("/search/", {"q": "walrus", "page": page})
        pages.append([post.title for post in response.context["page"].object_list])
    assert "13 posts found" in response.content.decode()
    assert [len(titles) for titles in pages] == [5, 5, 3]
    assert pages[0][0] == top.title
    assert len({title for titles in pages for title in titles}) == 13


def test_odd_page_numbers_give_a_page_as_on_other_lists(client, settings):
    settings.POSTS_PER_PAGE = 2
    for number in range(5):
        PostFactory(title=f"Otter {number}", summary="x")

    def titles(page: str) -> list[str]:
        response = client.get("/search/", {"q": "otter", "page": page})
        assert response.status_code == 200
        return [post.title for post in response.context["page"].object_list]

    last = titles("3")
    assert len(last) == 1 and titles("99") == last and titles("9" * 30) == last
    assert titles("two") == titles("1") != last


def test_own_field_matches_come_first_then_section_matches_newest_first(client):
    """Deliberately changed in issue 9: section-only matches are no longer ordered by how many sections
    match (that meant reading every matching section); the newest comes first."""
    from django.utils import timezone

    days_ago = lambda days: timezone.now() - timezone.timedelta(days=days)  # noqa: E731
    older = PostFactory(title="Two mentions", summary="x", published_at=days_ago(2))
    SectionFactory(post=older, position=1, content="a narwhal")
    SectionFactory(post=older, position=2, content="another narwhal")
    newer = PostFactory(title="One mention", summary="x", published_at=days_ago(1))
    SectionFactory(post=newer, position=1, content="a narwhal")
    PostFactory(title="In the introduction", summary="x", content="A narwhal swims by.", published_at=days_ago(3))
    PostFactory(title="Narwhal", summary="x", published_at=days_ago(4))
    assert result_titles(client, "narwhal") == ["Narwhal", "In the introduction", "One mention", "Two mentions"]


def test_words_may_match_in_different_sections(client):
    post = PostFactory(title="Coast", summary="x")
    SectionFactory(post=post, position=1, content="a gannet")
    SectionFactory(post=post, position=2, content="an auk")
    assert result_titles(client, "gannet auk") == ["Coast"]
    assert result_titles(client, "gannet -auk") == []


def test_snippet_shows_the_first_matching_section(client):
    post = PostFactory(title="Rivers", summary="x", content="An introduction.")
    SectionFactory(post=post, position=1, content="Nothing to see.")
    SectionFactory(post=post, position=2, content="The first beaver builds a dam.")
    SectionFactory(post=post, position=3, content="The second beaver sleeps.")
    html = client.get("/search/", {"q": "beaver"}).content.decode()
    assert "first <mark>beaver</mark> builds" in html and "second" not in html


def test_no_match_costs_one_query(client, django_assert_num_queries):
    PostFactory(title="Something else")
    with django_assert_num_queries(1):
        response = client.get("/search/", {"q": "okapi"})
    assert "0 posts found" in response.content.decode()
