"""Posts' stored HTML: written where sections and images are saved, used only while its key matches."""

from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from content import stored_html
from content.editorial import services
from content.models import IntroHtml, Post, PostSection, SectionHtml, SectionType
from content.site.page_cache import kept
from content.tests.factories import ImageSectionFactory, PostFactory, SectionFactory
from media_library.tests.factories import ImageFactory

pytestmark = pytest.mark.django_db


def page(client, post) -> str:
    response = client.get(post.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def draft() -> Post:
    """Sections are added to a draft: a published post's rows change only by publishing."""
    return PostFactory(published=False)


def publish(post: Post) -> Post:
    Post.objects.filter(pk=post.pk).update(published=True, published_at=timezone.now())
    return post


def html_of(section: PostSection) -> str:
    return SectionHtml.objects.get(section=section).html


def test_adding_sections_stores_their_html_and_the_page_serves_it(client):
    post = draft()
    first = services.add_section(post, title="Opening", content="The *first* words.")
    services.add_section(post, title="Closing", content="The last words.")
    assert SectionHtml.objects.filter(section__post=post).count() == 2
    assert "<em>first</em>" in html_of(first)
    # What the page shows is the stored HTML, not a rendering of its own.
    SectionHtml.objects.filter(section=first).update(html='<section id="opening">STORED COPY</section>')
    assert "STORED COPY" in page(client, publish(post))


def test_stored_and_fresh_renderings_of_a_page_are_the_same(client):
    post = PostFactory()
    SectionFactory(post=post, position=1, title="Intro", content="A [link](https://example.org) and *more*.")
    ImageSectionFactory(post=post, position=2, title="Intro")
    SectionFactory(post=post, position=3, title=None, subtitle="Below", content="Untitled.")
    fresh = page(client, post)
    assert stored_html.store_for_posts([post.pk]) == 4  # the introduction and three sections
    cache.clear()  # storing HTML changes no content: the page cache would answer
    kept.clear()  # and so would this process's copy of the page
    assert page(client, post) == fresh


def test_a_change_that_stores_no_html_is_never_shown_stale(client):
    post = draft()
    section = services.add_section(post, title="News", content="Old words.")
    with connection.cursor() as cursor:  # raw SQL: nothing re-renders the section
        cursor.execute("UPDATE post_section SET content = 'Fresh words.' WHERE id = %s", [section.pk])
    html = page(client, publish(post))
    assert "Fresh words." in html
    assert "Old words." not in html
    assert "Old words." in html_of(section)  # still stored, just not used


def test_a_sibling_change_that_moves_an_anchor_is_not_shown_stale(client):
    post = draft()
    first = services.add_section(post, title="Notes", content="One.")
    second = services.add_section(post, title="Notes", content="Two.")
    assert 'id="notes-2"' in html_of(second)
    PostSection.objects.filter(pk=first.pk).delete()  # no HTML stored for the survivor
    html = page(client, publish(post))
    assert 'id="notes"' in html
    assert 'id="notes-2"' not in html


def test_editing_an_image_re_renders_the_sections_that_show_it():
    section = ImageSectionFactory(image__alt_text="Before")
    stored_html.store_for_posts([section.post_id])
    assert 'alt="Before"' in html_of(section)
    image = section.image
    image.alt_text = "A harbour at dawn"
    image.save()
    assert 'alt="A harbour at dawn"' in html_of(section)


def test_only_the_first_section_loads_its_image_eagerly():
    post = draft()
    old_first = ImageSectionFactory(post=post, position=1)
    stored_html.store_for_posts([post.pk])
    assert 'loading="lazy"' not in html_of(old_first)
    new_first = services.add_section(post, position=1, content_type=SectionType.IMAGE, image=ImageFactory())
    assert 'loading="lazy"' not in html_of(new_first)
    assert 'loading="lazy"' in html_of(old_first)


def test_changed_media_settings_make_stored_html_stale(client, settings):
    section = ImageSectionFactory()
    stored_html.store_for_posts([section.post_id])
    settings.MEDIA_URL = "https://cdn.example.org/media/"
    assert "https://cdn.example.org/media/" in page(client, section.post)
    assert "https://cdn.example.org/media/" not in html_of(section)
    stored_html.store_for_posts([section.post_id])
    assert "https://cdn.example.org/media/" in html_of(section)


def test_render_html_stores_what_is_missing_or_stale_and_is_idempotent():
    posts = [PostFactory() for _ in range(3)]
    PostSection.objects.bulk_create(  # as a bulk import does: no HTML stored
        PostSection(post=post, position=n, title=f"Part {n}", content=f"Text {n}.") for post in posts for n in (1, 2)
    )
    with connection.cursor() as cursor:
        cursor.execute("UPDATE post_section SET content = 'Changed.' WHERE post_id = %s", [posts[0].pk])
    out = StringIO()
    call_command("render_html", stdout=out, verbosity=0)
    assert "Stored 9 piece(s) of HTML (introductions and sections) of 3 post(s)." in out.getvalue()
    assert all("Changed." in row.html for row in SectionHtml.objects.filter(section__post=posts[0]))
    out = StringIO()
    call_command("render_html", stdout=out, verbosity=0)
    assert "Stored 0 piece(s) of HTML" in out.getvalue()


def test_a_changed_introduction_is_never_shown_stale(client):
    post = PostFactory(content="The *old* introduction.")
    stored_html.store_for_posts([post.pk])
    assert "<em>old</em>" in IntroHtml.objects.get(post=post).html
    IntroHtml.objects.filter(post=post).update(html="<p>STORED INTRO</p>")
    assert "STORED INTRO" in page(client, post)
    Post.objects.filter(pk=post.pk).update(content="The *new* introduction.")
    html = page(client, post)
    assert "<em>new</em>" in html
    assert "STORED INTRO" not in html
