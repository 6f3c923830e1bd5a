import pytest

from content.editorial import services
from content.tests.factories import PostFactory, SectionFactory

pytestmark = pytest.mark.django_db


def positions(post):
    return list(post.sections.order_by("position").values_list("title", "position"))


def test_renumber_closes_gaps_and_keeps_order():
    post = PostFactory()
    for title, position in [("a", 3), ("b", 7), ("c", 10)]:
        SectionFactory(post=post, title=title, position=position)
    assert services.renumber_sections(post) == 3
    assert positions(post) == [("a", 1), ("b", 2), ("c", 3)]


def test_add_section_inserts_and_shifts_later_sections():
    post = PostFactory()
    for title, position in [("a", 1), ("b", 2), ("c", 3)]:
        SectionFactory(post=post, title=title, position=position)
    new = services.add_section(post, position=2, title="new", content="inserted")
    assert new.position == 2
    assert positions(post) == [("a", 1), ("new", 2), ("b", 3), ("c", 4)]


def test_add_section_without_position_appends():
    post = PostFactory()
    SectionFactory(post=post, title="a", position=1)
    services.add_section(post, title="z", content="last")
    assert positions(post) == [("a", 1), ("z", 2)]
