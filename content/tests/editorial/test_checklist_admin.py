"""The content checks on a real database: what the selector loads (and in how many queries), the change
page's panel, the endpoint that re-checks the unsaved form, and the workflow's gates that enforce them."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from content.editorial import checklist_checks, checklist_selectors, workflow, workflow_rules
from content.models import Post, SlugRedirect, WorkingCopy
from content.tests.editorial.test_admin import change_form_data, section_row
from content.tests.editorial.test_working_copies import edit
from content.tests.editorial.workflow_helpers import (
    client_for,
    draft_post,
    finish_stages_before,
    make_user,
    messages_of,
    step,
)
from content.tests.factories import ImageSectionFactory, PostFactory, SectionFactory, TagFactory

pytestmark = pytest.mark.django_db

GOOD_TITLE = "A night walk along the harbour, with owls"
GOOD_SUMMARY = (
    "We walked the harbour after dark to listen for owls, and found the town sounds different at night: "
    "quieter, closer, stranger."
)


def change_url(post) -> str:
    return reverse("admin:content_post_change", args=[post.pk])


def checklist_url(post) -> str:
    return reverse("admin:content_post_checklist", args=[post.pk])


def form_of(post, rows=None, **values):
    rows = rows if rows is not None else [section_row(i, s) for i, s in enumerate(post.sections.order_by("position"))]
    return change_form_data(post, rows, **values)


# --- what the selector loads ---


def test_link_targets_are_read_from_the_database():
    now = timezone.now()
    PostFactory(slug="live")
    PostFactory(slug="draft", published=False)
    PostFactory(slug="binned", deleted_at=now)
    PostFactory(slug="soon", published=False, workflow_stage="publishing", publish_at=now + timedelta(days=1))
    PostFactory(slug="parked", published=False, workflow_stage="review", publish_at=now + timedelta(days=1))
    SlugRedirect.objects.create(old_slug="old-live", post=Post.objects.get(slug="live"))
    TagFactory(name="owls", slug="owls").tagged_posts.create(content_object=Post.objects.get(slug="live"))
    TagFactory(name="unused", slug="unused")
    links = " ".join(
        f"[{slug}](/posts/{slug}/)" for slug in ("live", "draft", "binned", "soon", "parked", "old-live", "gone")
    )
    post = draft_post(sections=0, content=links + " [t](/tags/owls/) [u](/tags/unused/) [n](/tags/new/)")
    facts = checklist_selectors.facts_for_post(post)
    assert {slug: target.state for slug, target in facts.linked_posts.items()} == {
        "live": "live",
        "draft": "unpublished",
        "binned": "trash",
        "soon": "scheduled",
        "parked": "unpublished",  # a time, but not in the stage that publishes it
        "old-live": "moved",
    }
    assert facts.linked_tags == {"owls": True, "unused": False}
    assert facts.tag_slugs == frozenset()
    broken = checklist_checks.broken_links(facts)
    assert [problem.text.split(" leads")[0] for problem in broken.problems] == [
        "The link “/posts/draft/” in the introduction",
        "The link “/posts/binned/” in the introduction",
        "The link “/posts/soon/” in the introduction",
        "The link “/posts/parked/” in the introduction",
        "The link “/posts/gone/” in the introduction",
        "The link “/tags/unused/” in the introduction",
        "The link “/tags/new/” in the introduction",
    ]
    # Tagged with them itself, the post makes both tag pages live when it is published.
    post.tags.add("new", "unused")
    assert [
        p.text
        for p in checklist_checks.broken_links(checklist_selectors.facts_for_post(post)).problems
        if "tag" in p.text
    ] == []


def _post_with(sections: int):
    post = draft_post(sections=0, title=GOOD_TITLE, content="See [a post](/posts/other/) and [owls](/tags/owls/).")
    post.tags.add("owls")
    for number in range(1, sections + 1):
        if number % 3 == 0:
            ImageSectionFactory(post=post, position=number, image__alt_text="")
        else:
            SectionFactory(post=post, position=number, content=f"Text {number} with [a link](/posts/p-{number}/).")
    return post


def _queries(function) -> int:
    with CaptureQueriesContext(connection) as queries:
        function()
    return len(queries)


def test_the_queries_do_not_grow_with_the_sections():
    """One query for the sections with their images, and at most four for links, however many sections."""
    PostFactory(slug="other")
    small, large = _post_with(3), _post_with(60)
    for load in (
        checklist_selectors.facts_for_post,
        lambda post: workflow_rules.run_content_checks(post),  # the gates, section validity included
    ):
        counts = [_queries(lambda post=post, load=load: load(post)) for post in (small, large)]
        assert counts[0] == counts[1] <= 5, counts
    facts = checklist_selectors.facts_for_post(large)
    assert len(facts.sections) == 60 and len(facts.linked_posts) == 1  # "other": the rest lead nowhere


def test_a_post_without_links_costs_one_query():
    post = draft_post(sections=4)
    assert _queries(lambda: checklist_selectors.facts_for_post(post)) == 1


def test_the_form_is_read_leniently_in_its_shown_order():
    post = draft_post(sections=0, title=GOOD_TITLE)
    image = ImageSectionFactory(post=post, position=1).image
    rows = [
        section_row(0, content="Third, by its position.", position="9"),
        section_row(1, content="Deleted.", DELETE="on"),
        section_row(2, content_type="image", image=str(image.pk), position="1"),
        section_row(3),  # added and left blank: the save skips it
        section_row(4, content="No position: last.", position="x"),
        section_row(5, content_type="bogus", content="Read as text.", image="not a number", position="2"),
    ]
    facts = checklist_selectors.facts_from_form(post, form_of(post, rows, tags="owls, night walks"))
    assert [(s.number, s.form_index, s.content_type) for s in facts.sections] == [
        (1, 2, "image"),
        (2, 5, "text"),
        (3, 0, "text"),
        (4, 4, "text"),
    ]
    assert facts.sections[0].image.alt_text == image.alt_text and facts.sections[1].image_id is None
    assert facts.title == GOOD_TITLE


@pytest.mark.parametrize("total", ["", "-4", "abc", "99999999999999999999", "1e9"])
def test_a_nonsense_section_count_reads_as_few_sections(total):
    post = draft_post(sections=1)
    data = form_of(post)
    data["sections-TOTAL_FORMS"] = total
    facts = checklist_selectors.facts_from_form(post, data)
    assert len(facts.sections) <= 1


# --- the panel on the change page ---


def test_the_panel_shows_each_check_with_its_level_and_where_to_fix_it(editor_client):
    post = draft_post(sections=1, title="A walk at night", summary="")
    html = editor_client.get(change_url(post)).content.decode()
    panel = html.split('id="checklist"')[1].split("</details>")[0]
    assert 'data-url="' + checklist_url(post) + '"' in html
    assert 'data-check="title-length" data-ok="false"' in panel
    assert "The title is 15 characters long" in panel and '<a href="#id_title" data-focus="id_title">' in panel
    assert 'data-check="meta-description" data-ok="false"' in panel and 'href="#id_summary"' in panel
    assert 'data-check="alt-text" data-ok="true"' in panel
    assert "Recommended" in panel and "Required" in panel
    assert "2 recommended checks are not met" in panel
    assert "title_length" not in html  # the stored names stay out of the page


def test_the_panel_of_a_published_post_reads_its_working_copy(editor_client):
    post = PostFactory(title="Live title", slug="live-title")
    SectionFactory(post=post, position=1, content="Live words.")
    edit(editor_client, post, title=GOOD_TITLE)
    assert WorkingCopy.objects.filter(post=post).exists()
    panel = editor_client.get(change_url(post)).content.decode().split('id="checklist"')[1]
    assert "The title is 41 characters long" in panel


def test_the_panel_of_a_form_shown_again_reads_what_the_editor_typed(editor_client):
    post = draft_post(sections=1)
    data = form_of(post, title=GOOD_TITLE, version=999)  # refused: someone saved meanwhile
    response = editor_client.post(change_url(post), data)
    assert response.status_code == 200
    assert "The title is 41 characters long" in response.content.decode().split('id="checklist"')[1]


def test_the_change_page_query_budget_holds_with_the_panel(publisher_client, django_assert_max_num_queries):
    post = finish_stages_before(draft_post(sections=40), "writing")
    for number in range(41, 51):
        ImageSectionFactory(post=post, position=number)
    with django_assert_max_num_queries(14):
        assert publisher_client.get(change_url(post)).status_code == 200


# --- the endpoint ---


def test_the_endpoint_checks_the_unsaved_form(editor_client):
    post = draft_post(sections=1, title="A walk at night")
    short = editor_client.post(checklist_url(post), form_of(post)).json()
    assert {c["name"]: c["ok"] for c in short["checks"]}["title_length"] is False
    answer = editor_client.post(checklist_url(post), form_of(post, title=GOOD_TITLE)).json()
    assert {c["name"]: c["ok"] for c in answer["checks"]}["title_length"] is True
    assert 'data-check="title-length" data-ok="true"' in answer["html"]
    assert answer["summary"].endswith(".") and answer["count"].startswith("·")
    assert Post.objects.get(pk=post.pk).title == "A walk at night"  # nothing saved


def test_the_endpoint_is_for_staff_who_may_see_posts(client, django_user_model, editor_client):
    post = draft_post(sections=1)
    url = checklist_url(post)
    assert editor_client.get(url).status_code == 405
    assert editor_client.post(reverse("admin:content_post_checklist", args=[999999])).status_code == 404
    assert editor_client.post(reverse("admin:content_post_checklist", args=["x"])).status_code == 404
    client.logout()
    anonymous = client.post(url, form_of(post))
    assert anonymous.status_code == 302 and "/admin/login/" in anonymous["Location"]
    client_for(client, make_user(django_user_model, "stan", None))  # staff, no permission on posts
    assert client.post(url, form_of(post)).status_code == 403


HOSTILE = [
    {"title": "\x00\x01", "content": "&#xFFFE; &#65535; \ud7ff", "summary": "<script>alert(1)</script>"},
    {"content": "[x](http://[::1)  [y](http://exa%20mple.com/) [z](/posts/%ff%fe/) [w](//evil.example/posts/x/)"},
    {"content": "[" * 5000 + "](" * 5000, "tags": '"unclosed, ,, "'},
    {"sections-0-image": "-1", "sections-0-position": "1e400", "sections-0-content_type": "image"},
    {"sections-TOTAL_FORMS": "200", "sections-150-content": "#### far", "sections-150-image": "2147483648"},
    {"content": "# h\n" * 2000 + "word " * 20000},
]


@pytest.mark.parametrize("values", HOSTILE)
def test_the_endpoint_never_fails_on_bad_input(editor_client, values):
    post = draft_post(sections=1)
    response = editor_client.post(checklist_url(post), {**form_of(post), **values})
    assert response.status_code == 200, response.content[:300]
    assert "checks" in response.json()


def test_the_endpoint_refuses_a_flood_plainly(editor_client):
    post = draft_post(sections=1)
    response = editor_client.post(checklist_url(post), {**form_of(post), "content": "x" * 2_100_000})
    assert response.status_code == 400 and "too large" in response.json()["error"]


def test_the_endpoint_query_budget_does_not_grow_with_sections(editor_client):
    counts = []
    for sections in (2, 40):
        post = _post_with(sections)
        with CaptureQueriesContext(connection) as queries:
            assert editor_client.post(checklist_url(post), form_of(post)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


# --- the gates ---


def test_a_required_check_refuses_the_step_to_review_and_names_it(editor_client, settings):
    settings.CONTENT_CHECKS = {"title_length": "required"}
    post = finish_stages_before(draft_post(sections=1, title="A walk at night"), "writing", finish_current=True)
    response = step(editor_client, post, "submit_for_review")
    message = " ".join(messages_of(response))
    assert "“Submit for review” is refused until the content checks pass" in message
    assert "The title is 15 characters long" in message
    assert Post.objects.get(pk=post.pk).workflow_stage == "writing"
    Post.objects.filter(pk=post.pk).update(title=GOOD_TITLE)
    response = step(editor_client, post, "submit_for_review")
    assert "“Submit for review”: done. The post is now in Review." in messages_of(response)


def test_a_recommended_check_only_warns(publisher_client):
    post = finish_stages_before(draft_post(sections=1, title="A walk at night"), "publishing")
    response = step(publisher_client, post, "publish")
    said = messages_of(response)
    assert "“Publish now”: done. Readers can see the post now." in said
    assert any(m.startswith("Recommended check not met: The title is 15 characters long") for m in said)
    assert Post.objects.live().filter(pk=post.pk).exists()
    checks = workflow.read_state("publishing", Post.objects.get(pk=post.pk).stage_data).substage("publish").checks
    title = next(check for check in checks if check["name"] == "title_length")
    assert (title["ok"], title["level"]) == (False, "recommended")


def test_the_workflow_panel_marks_recommended_failures_as_warnings(publisher_client):
    post = finish_stages_before(draft_post(sections=1, title="A walk at night"), "publishing")
    step(publisher_client, post, "publish")
    html = publisher_client.get(change_url(post)).content.decode()
    workflow_panel = html.split('id="workflow"')[1].split('id="checklist"')[0]
    assert 'class="warned"' in workflow_panel and "Title length" in workflow_panel


def test_a_broken_link_refuses_publishing(publisher_client):
    post = finish_stages_before(draft_post(sections=1, content="Read [the next one](/posts/not-yet/)."), "publishing")
    response = step(publisher_client, post, "publish")
    assert any(
        "Broken links: “/posts/not-yet/” in the introduction leads to no post." in m for m in messages_of(response)
    )
    assert not Post.objects.get(pk=post.pk).published


def test_scheduling_after_a_linked_post_is_scheduled_is_allowed(publisher_client):
    first = finish_stages_before(draft_post(sections=1, slug="first"), "publishing")
    when = timezone.now() + timedelta(days=2)
    step(publisher_client, first, "schedule", publish_at=when.strftime("%Y-%m-%dT%H:%M"))
    second = finish_stages_before(draft_post(sections=1, content="After [the first](/posts/first/)."), "publishing")
    earlier = (when - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    refused = messages_of(step(publisher_client, second, "schedule", publish_at=earlier))
    assert any("leads to a post not published yet (scheduled for" in m for m in refused)
    later = (when + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    assert any(
        "“Schedule”: done." in m for m in messages_of(step(publisher_client, second, "schedule", publish_at=later))
    )


def test_publishing_unpublished_changes_is_refused_for_a_required_check(editor_client, client, django_user_model):
    post = PostFactory(title="Live title", slug="live-title")
    SectionFactory(post=post, position=1, content="Live words.")
    image_section = ImageSectionFactory(post=post, position=2)
    image_section.image.alt_text = ""
    image_section.image.save()
    rows = [section_row(n, s, image=s.image_id or "") for n, s in enumerate(post.sections.order_by("position"))]
    edit(editor_client, post, rows=rows, title=GOOD_TITLE)
    version = WorkingCopy.objects.get(post=post).version
    url = reverse("admin:content_post_changes_step", args=[post.pk])
    editor_client.post(url, {"action": "submit_changes", "version": version})
    publisher = client_for(client, make_user(django_user_model, "paula", "Publishers"))
    response = publisher.post(url, {"action": "approve_changes", "version": version}, follow=True)
    message = " ".join(messages_of(response))
    assert "“Approve changes” is refused until the content checks pass" in message
    assert "Images without alt text: section 2" in message
    assert WorkingCopy.objects.get(post=post).stage == WorkingCopy.Stage.IN_REVIEW
