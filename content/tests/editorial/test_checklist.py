"""The content checks as pure functions: each one passing and failing, on facts built by hand (no database)."""

from datetime import UTC, datetime, timedelta

import pytest

from content.editorial import checklist
from content.editorial import checklist_checks as checks
from content.editorial import checklist_markdown as markdown
from content.editorial.checklist_facts import ImageFacts, LinkTarget, PostFacts, SectionFacts
from content.reading import count_words

GOOD_TITLE = "A night walk along the harbour, with owls"  # 41 characters
GOOD_SUMMARY = (
    "We walked the harbour after dark to listen for owls, and found the town sounds different at night: "
    "quieter, closer, stranger."
)  # 125 characters


def text_section(number=1, content="Some text.", **fields) -> SectionFacts:
    return SectionFacts(number=number, form_index=number - 1, content=content, **fields)


def facts(**fields) -> PostFacts:
    values = {"title": GOOD_TITLE, "summary": GOOD_SUMMARY, "slug": "night-walk", "sections": (text_section(),)}
    values.update(fields)
    return PostFacts(**values)


def anchors(outcome) -> list[str]:
    return [problem.anchor for problem in outcome.problems]


# --- reading Markdown ---


def test_reading_finds_headings_pictures_links_and_running_text():
    reading = markdown.read(
        "# Top\n\nFirst sentence. Second [one](/posts/a/)!\n\n![](pic.png) ![An owl](owl.png)\n\n"
        "```\nnot. a. sentence.\n```\n\n- item\n\n#### Deep *heading*"
    )
    assert [(h.level, h.text) for h in reading.headings] == [(1, "Top"), (4, "Deep heading")]
    assert [(p.src, p.alt) for p in reading.pictures] == [("pic.png", ""), ("owl.png", "An owl")]
    assert reading.links == ("/posts/a/",)
    assert reading.blocks == ("First sentence. Second one!", "item")
    assert reading.shows_something


def test_reading_what_readers_never_see_and_text_with_nothing_to_show():
    reading = markdown.read('<a href="javascript:alert(1)">x</a> <img src=x onerror=alert(1)>')
    assert reading.links == ()  # the sanitizer drops a javascript: address: readers have no such link
    assert markdown.read("## Only a heading\n\n<!-- a comment -->").shows_something is False
    assert markdown.read("   ") == markdown.read("")
    # What cmark could not decode (a reference to U+FFFE) and control characters are taken out, as for readers.
    assert markdown.read("A &#xFFFE; B\x00.").blocks == ("A B.",)


def test_sentences_and_words():
    assert markdown.sentences("He said “stop.” Then he left! Did he? Yes… fine") == [
        "He said “stop.",
        "Then he left!",
        "Did he?",
        "Yes…",
        "fine",
    ]
    assert count_words("Don't pay 3.5 euros for a well-known l\u2019été \u2014 see https://example.org/.") == 10
    assert (
        markdown.opening("one two three four five six seven eight nine") == "one two three four five six seven eight…"
    )


# --- each check, passing and failing ---


def test_has_sections():
    assert checks.has_sections(facts()).ok
    outcome = checks.has_sections(facts(sections=()))
    assert not outcome.ok and outcome.detail == "The post has no sections."
    assert anchors(outcome) == ["sections-group"]


@pytest.mark.parametrize(
    ("title", "ok", "said"),
    [
        (GOOD_TITLE, True, "41 characters long (30 to 60 is best)"),
        ("A walk at night", False, "15 characters long: search results show titles of 30 to 60"),
        ("x" * 61, False, "cut titles after about 60"),
        ("   ", False, "no title yet"),
        ("Thirty characters exactly, ok.", True, "30 characters"),
    ],
)
def test_title_length(title, ok, said):
    outcome = checks.title_length(facts(title=title))
    assert outcome.ok is ok and said in outcome.detail
    assert anchors(outcome) == ([] if ok else ["id_title"])


def test_title_length_counts_the_title_as_readers_see_it():
    # Line breaks and runs of spaces are shown as one space: they do not make a short title long enough.
    assert not checks.title_length(facts(title="A walk" + " " * 30 + "at night")).ok


def test_meta_description_is_the_summary_readers_pages_use():
    assert checks.meta_description(facts()).ok
    short = checks.meta_description(facts(summary="Owls."))
    assert not short.ok and "5 characters long" in short.detail and anchors(short) == ["id_summary"]
    long = checks.meta_description(facts(summary="word " * 40))
    assert not long.ok and "readers' pages cut it at 160 characters" in long.detail
    # Markdown and HTML are taken out before counting, as on readers' pages.
    marked = checks.meta_description(facts(summary=f"**{GOOD_SUMMARY}**"))
    assert marked.ok


def test_meta_description_without_a_summary_names_the_field_used_instead():
    outcome = checks.meta_description(facts(summary="", subtitle="Owls after dark"))
    assert not outcome.ok
    assert "no summary, so search results and shared links describe it with the subtitle (15 characters)" in (
        outcome.detail
    )
    assert anchors(outcome) == ["id_summary"]
    intro = checks.meta_description(facts(summary=" ", subtitle="", content="*Owls* at night."))
    assert "describe it with the introduction (14 characters)" in intro.detail
    nothing = checks.meta_description(facts(summary="", title="", content=""))
    assert "describe it with nothing: write a summary of 120 to 160 characters." in nothing.detail


def test_alt_text_of_image_sections_and_of_images_in_the_markdown():
    described = ImageFacts("owl.jpg", "An owl on a post", "/admin/media_library/image/1/change/")
    undescribed = ImageFacts("dusk.jpg", "  ", "/admin/media_library/image/2/change/")
    good = facts(
        sections=(
            text_section(1),
            SectionFacts(2, 1, "image", title="Owl", image_id=1, image=described),
            text_section(3, "![A gull](gull.png)"),
        )
    )
    assert checks.alt_text(good).ok
    bad = facts(
        content="![](harbour.png) ![]()",
        sections=(SectionFacts(1, 0, "image", image_id=2, image=undescribed), text_section(2, "See ![](/media/a.png)")),
    )
    outcome = checks.alt_text(bad)
    assert not outcome.ok
    assert outcome.detail == (
        "Images without alt text: section 1, dusk.jpg; the introduction (harbour.png); section 2 (a.png)."
    )
    assert anchors(outcome) == ["id_sections-0-image", "id_content", "id_sections-1-content"]
    assert outcome.problems[0].url == "/admin/media_library/image/2/change/"
    assert outcome.problems[0].url_action == "Edit the image's alt text"


def test_heading_order():
    good = facts(
        content="## Why\n\n### Because",
        sections=(
            text_section(1, "### Under the title\n\n#### Deeper", title="Titled"),
            text_section(2, "## Under h1"),
        ),
    )
    assert checks.heading_order(good).ok
    assert checks.heading_order(facts(content="No headings at all.")).ok


def test_heading_order_finds_skipped_levels_and_top_level_headings():
    bad = facts(
        content="#### Too deep under the title",
        sections=(
            text_section(1, "# Another title\n\n### Fine after the fix", title="Titled"),
            text_section(2, "## A\n\n#### C", title="Titled"),
            text_section(3, "### Under nothing but the page's h1"),
        ),
    )
    outcome = checks.heading_order(bad)
    assert not outcome.ok
    texts = [problem.text for problem in outcome.problems]
    assert texts == [
        "In the introduction, “#### Too deep under the title” comes right after the post's title (the level-1 "
        "heading), skipping level 2: make it “##”.",
        "In section 1 (“Titled”), “# Another title” is a top-level heading, as the post's title is: the title is "
        "the page's only one, so start with “###”.",
        "In section 2 (“Titled”), “#### C” comes right after “## A”, skipping level 3: make it “###”.",
        "In section 3, “### Under nothing but the page's h1” comes right after the post's title (the level-1 "
        "heading), skipping level 2: make it “##”.",
    ]
    assert anchors(outcome) == ["id_content", "id_sections-0-content", "id_sections-1-content", "id_sections-2-content"]
    assert outcome.detail.startswith("Heading levels to fix: “#### Too deep under the title” in the introduction")


def test_empty_sections():
    full = facts(
        sections=(
            text_section(1),
            SectionFacts(2, 1, "image", image_id=3, image=ImageFacts("a.jpg", "A")),
            SectionFacts(3, 2, "video", video_url="https://youtu.be/dQw4w9WgXcQ"),
            SectionFacts(4, 3, "audio", audio_url="https://example.org/a.mp3"),
            text_section(5, "`code` only"),
        )
    )
    assert checks.empty_sections(full).ok
    empty = facts(
        sections=(
            text_section(1, "   ", title="Blank"),
            text_section(2, "## Heading only"),
            SectionFacts(3, 2, "image", image_id=9, image=None),
            SectionFacts(4, 3, "image"),
            SectionFacts(5, 4, "video"),
            SectionFacts(6, 5, "audio", audio_url=" "),
            text_section(7, "<!-- nothing -->"),
        )
    )
    outcome = checks.empty_sections(empty)
    assert not outcome.ok
    assert outcome.detail == (
        "Empty sections: section 1 (“Blank”) has no text; section 2 holds only headings, no text; section 3 shows "
        "no image: its image was deleted; section 4 shows no image; section 5 has no video address; section 6 "
        "has no audio address; section 7 has no text."
    )
    assert anchors(outcome) == [
        "id_sections-0-content",
        "id_sections-1-content",
        "id_sections-2-image",
        "id_sections-3-image",
        "id_sections-4-video_url",
        "id_sections-5-audio_url",
        "id_sections-6-content",
    ]


def test_broken_links(settings):
    settings.SITE_URL = "https://blog.example.com"
    soon = datetime(2031, 1, 1, 9, tzinfo=UTC)
    linked_posts = {
        "live": LinkTarget("live"),
        "old-address": LinkTarget("moved"),
        "draft": LinkTarget("unpublished"),
        "binned": LinkTarget("trash"),
        "soon": LinkTarget("scheduled", soon),
    }
    good = facts(
        content=(
            "[a](/posts/live/) [b](https://blog.example.com/posts/old-address/#part) [own](/posts/night-walk/) "
            "[tag](/tags/owls/) [new tag](/tags/mine/feed/) [elsewhere](https://example.org/posts/nothing/) "
            "[search](/search/?q=x) [anchor](#top) [media](/media/x.png) [relative](posts/none/)"
        ),
        linked_posts=linked_posts,
        linked_tags={"owls": True},
        tag_slugs=frozenset({"mine"}),
    )
    assert checks.broken_links(good).ok, checks.broken_links(good).detail
    bad = facts(
        sections=(
            text_section(
                1,
                "[1](/posts/draft/) [2](/posts/binned/) [3](/posts/gone/) [4](/posts/soon/) [5](/tags/empty/) "
                '[6](/tags/nothing/) [7](/posts/a/b/c/) <a href="https://BLOG.example.com/posts/">8</a>',
            ),
        ),
        linked_posts=linked_posts,
        linked_tags={"empty": False},
    )
    outcome = checks.broken_links(bad)
    assert not outcome.ok
    assert [problem.text for problem in outcome.problems] == [
        "The link “/posts/draft/” in section 1 leads to a post that is not published.",
        "The link “/posts/binned/” in section 1 leads to a post in the trash.",
        "The link “/posts/gone/” in section 1 leads to no post.",
        "The link “/posts/soon/” in section 1 leads to a post not published yet (scheduled for 2031-01-01 09:00).",
        "The link “/tags/empty/” in section 1 leads to a tag no published post has yet.",
        "The link “/tags/nothing/” in section 1 leads to no tag.",
        "The link “/posts/a/b/c/” in section 1 leads to no page of this blog.",
        "The link “https://BLOG.example.com/posts/” in section 1 leads to no page of this blog.",
    ]
    assert set(anchors(outcome)) == {"id_sections-0-content"}


def test_a_link_to_a_post_scheduled_before_this_one_is_fine_when_scheduling():
    soon = datetime(2031, 1, 1, 9, tzinfo=UTC)
    linking = {"content": "[next](/posts/soon/)", "linked_posts": {"soon": LinkTarget("scheduled", soon)}}
    assert not checks.broken_links(facts(**linking)).ok  # published now: not there yet
    assert checks.broken_links(facts(**linking, publish_at=soon + timedelta(hours=1))).ok
    assert not checks.broken_links(facts(**linking, publish_at=soon - timedelta(hours=1))).ok


def test_readability():
    short = "The owls called. We stopped to listen. Then we walked home."
    assert checks.readability(facts(content=short)).ok
    assert checks.readability(facts(content="", sections=())).detail == "No sentences to measure yet."
    long_sentence = " ".join(["word"] * 45) + "."
    outcome = checks.readability(facts(sections=(text_section(1, f"{short}\n\n{long_sentence}", title="Long"),)))
    assert not outcome.ok
    assert "the longest 45 words (aim for 40 or fewer), in section 1 (“Long”)" in outcome.detail
    assert [problem.text for problem in outcome.problems] == [
        "A sentence of 45 words in section 1 (“Long”): “word word word word word word word word…”. "
        "Split it in two or three."
    ]
    assert anchors(outcome) == ["id_sections-0-content"]


def test_readability_on_average_points_at_the_wordiest_text():
    wordy = " ".join(["word"] * 30) + "."
    outcome = checks.readability(facts(content="Short one.", sections=(text_section(1, wordy + " " + wordy),)))
    assert not outcome.ok and "words on average (aim for 20 or fewer)" in outcome.detail
    assert anchors(outcome) == ["id_sections-0-content"]
    assert outcome.problems[0].text.startswith("The sentences of section 1 are 30 words long on average")


# --- levels from the setting ---


def test_levels_default_and_follow_the_setting(settings):
    settings.CONTENT_CHECKS = {}
    levels = checklist.configured_levels()
    assert levels == {
        "has_sections": "required",
        "title_length": "recommended",
        "meta_description": "recommended",
        "alt_text": "required",
        "heading_order": "recommended",
        "empty_sections": "required",
        "broken_links": "required",
        "readability": "recommended",
    }
    settings.CONTENT_CHECKS = {"title_length": " Required ", "readability": "off", "has_sections": "off", "x": "on"}
    levels = checklist.configured_levels()
    assert levels["title_length"] == "required" and levels["readability"] == "off"
    assert levels["has_sections"] == "required"  # cannot be set
    results = checklist.run(facts(title="Short"))
    assert "readability" not in [result.key for result in results]
    title = next(result for result in results if result.key == "title_length")
    assert title.blocks and title.level_label == "Required"


def test_setting_problems_name_the_fix():
    assert checklist.setting_problems({"title_length": "recommended", "alt_text": "OFF"}) == []
    problems = checklist.setting_problems({"titel_length": "required", "readability": "must", "has_sections": "off"})
    assert problems == [
        ("name", "CONTENT_CHECKS names 'titel_length', which is no check.", "Write title_length instead."),
        (
            "level",
            "CONTENT_CHECKS gives readability the level 'must'; the levels are required, recommended and off.",
            "Write readability=required, readability=recommended or readability=off.",
        ),
        ("name", "CONTENT_CHECKS names has_sections, which is always required and cannot be set.", "Remove it."),
    ]
    assert checklist.setting_problems(["title_length"])[0][0] == "value"


def test_stored_results_and_what_refuses_a_step():
    results = checklist.run(facts(title="Short", sections=()), checklist.configured_levels({}))
    stored = [result.stored("2030-01-01T00:00:00") for result in results]
    assert {check["name"]: (check["ok"], check["level"]) for check in stored}["title_length"] == (
        False,
        "recommended",
    )
    assert checklist.blocking(stored) == ["The post has no sections."]
    assert checklist.warnings(stored) == [next(r.outcome.detail for r in results if r.key == "title_length")]
    # Checks stored before levels existed were all required.
    assert checklist.blocking([{"name": "images_have_alt_text", "ok": False, "detail": "No alt."}]) == ["No alt."]


def test_links_of_a_blog_mounted_under_a_path():
    from django.urls import set_script_prefix

    from content.editorial.checklist_facts import link_target

    set_script_prefix("/blog/")
    try:
        assert link_target("/blog/posts/owls/") == ("post", "owls")
        assert link_target("/blog/tags/night/feed/") == ("tag", "night")
        assert link_target("/blog/posts/") == ("nothing", "/posts/")
        assert link_target("/blog/search/") is None
    finally:
        set_script_prefix("/")
    assert link_target("/posts/owls/") == ("post", "owls")
