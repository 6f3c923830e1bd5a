"""The content checks, each a pure function of a post's facts (``checklist_facts.PostFacts``) returning an
``Outcome``: passed or not, one sentence naming what was found (a refused step quotes it), and each problem
with the place on the change page to fix it. ``checklist`` registers them with their levels."""

from __future__ import annotations

from datetime import datetime

from django.utils.formats import date_format
from django.utils.timezone import localtime

from content.editorial import checklist_markdown as markdown
from content.editorial.checklist_facts import Outcome, PostFacts, Problem, SectionFacts, Text, link_target, texts
from content.models import SectionType
from content.reading import count_words
from content.rendering import DESCRIPTION_CHARS, display_title
from content.site.seo import description_source

TITLE_CHARS = (30, 60)  # search results show titles of this length best, and cut them after about 60
DESCRIPTION_RANGE = (120, DESCRIPTION_CHARS)  # readers' pages cut the meta description at DESCRIPTION_CHARS
AVERAGE_WORDS = 20  # most of a text's sentences should be shorter than this (the usual plain-language aim)
LONGEST_WORDS = 40  # a sentence longer than this is hard to follow in one reading
SHOWN_PROBLEMS = 10  # problems listed per check; the detail counts them all


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _listed(problems: list[Problem]) -> tuple[Problem, ...]:
    return tuple(problems[:SHOWN_PROBLEMS])


def _joined(parts: list[str]) -> str:
    shown = "; ".join(parts[:SHOWN_PROBLEMS])
    return shown + (f"; and {len(parts) - SHOWN_PROBLEMS} more" if len(parts) > SHOWN_PROBLEMS else "")


# --- the checks ---


def has_sections(facts: PostFacts) -> Outcome:
    count = len(facts.sections)
    if count:
        return Outcome(True, f"The post has {_plural(count, 'section')}.")
    problem = Problem(
        "The post has no sections: readers would see only its introduction.", "sections-group", "Add a section"
    )
    return Outcome(False, "The post has no sections.", (problem,))


def title_length(facts: PostFacts) -> Outcome:
    shortest, longest = TITLE_CHARS
    title = display_title(facts.title) if (facts.title or "").strip() else ""
    count = len(title)
    if not count:
        return Outcome(
            False, "The post has no title yet.", (Problem("The post has no title.", "id_title", "Write the title"),)
        )
    if shortest <= count <= longest:
        return Outcome(True, f"The title is {count} characters long ({shortest} to {longest} is best).")
    if count < shortest:
        detail = (
            f"The title is {count} characters long: search results show titles of {shortest} to {longest} "
            "characters best, so say a little more."
        )
    else:
        detail = f"The title is {count} characters long: search results cut titles after about {longest} characters."
    return Outcome(False, detail, (Problem(detail, "id_title", "Edit the title"),))


def meta_description(facts: PostFacts) -> Outcome:
    shortest, longest = DESCRIPTION_RANGE
    source, text = description_source(facts)
    count = len(text)
    if source != "summary":
        used = {"subtitle": "the subtitle", "content": "the introduction", "title": "the title"}.get(source, "nothing")
        detail = (
            f"The post has no summary, so search results and shared links describe it with {used}"
            + (f" ({_plural(count, 'character')})" if source else "")
            + f": write a summary of {shortest} to {longest} characters."
        )
        return Outcome(False, detail, (Problem(detail, "id_summary", "Write the summary"),))
    if shortest <= count <= longest:
        return Outcome(
            True, f"The summary (the meta description) is {count} characters long ({shortest} to {longest} is best)."
        )
    if count < shortest:
        detail = (
            f"The summary (the meta description) is {count} characters long: search results show "
            f"{shortest} to {longest} characters, so say a little more."
        )
    else:
        detail = (
            f"The summary (the meta description) is {count} characters long: readers' pages cut it at {longest} "
            "characters, so shorten it."
        )
    return Outcome(False, detail, (Problem(detail, "id_summary", "Edit the summary"),))


def alt_text(facts: PostFacts) -> Outcome:
    missing, problems = [], []
    for section in facts.sections:
        image = section.image
        if section.content_type == SectionType.IMAGE and image is not None and not image.alt_text.strip():
            missing.append(f"{section.name}, {image.label}")
            problems.append(
                Problem(
                    f"{_capital(section.name)}: the image “{image.label}” has no alt text, the words screen "
                    "readers say in its place.",
                    section.field_id("image"),
                    "Go to the section",
                    image.edit_url,
                    "Edit the image's alt text" if image.edit_url else "",
                )
            )
    for text in texts(facts):
        for picture in text.reading.pictures:
            if picture.src and not picture.alt:  # without an address readers' pages leave it out
                label = markdown.opening(picture.src.rsplit("/", 1)[-1] or picture.src, 1) or "an image"
                missing.append(f"{text.place} ({label})")
                problems.append(
                    Problem(
                        f"An image in the Markdown of {text.place} ({label}) has no alt text: write it between "
                        "the brackets of ![…](address).",
                        text.field_id,
                        "Edit the text",
                    )
                )
    if not missing:
        return Outcome(True, "Every image has alt text.")
    return Outcome(False, f"Images without alt text: {_joined(missing)}.", _listed(problems))


def _hashes(level: int) -> str:
    return "#" * level


def heading_order(facts: PostFacts) -> Outcome:
    found, problems = [], []
    for text in texts(facts):
        before, before_text = text.under_level, ""
        for heading in text.reading.headings:
            shown = f"“{_hashes(heading.level)} {heading.text}”"
            if heading.level == 1:
                after = _hashes(text.under_level + 1)
                found.append(f"{shown} in {text.place} is a top-level heading, as the title is")
                problems.append(
                    Problem(
                        f"In {text.place}, {shown} is a top-level heading, as the post's title is: the title is "
                        f"the page's only one, so start with “{after}”.",
                        text.field_id,
                        "Edit the text",
                    )
                )
                before, before_text = text.under_level + 1, heading.text
                continue
            if heading.level > before + 1:
                if before_text:
                    above = f"“{_hashes(before)} {before_text}”"
                elif text.under_level == 2:
                    above = "the section's title (a level-2 heading)"
                else:
                    above = "the post's title (the level-1 heading)"
                found.append(f"{shown} in {text.place} skips level {before + 1}")
                problems.append(
                    Problem(
                        f"In {text.place}, {shown} comes right after {above}, skipping level {before + 1}: "
                        f"make it “{_hashes(before + 1)}”.",
                        text.field_id,
                        "Edit the text",
                    )
                )
            before, before_text = heading.level, heading.text
    if not problems:
        return Outcome(True, "Headings go down one level at a time, under the post's title.")
    return Outcome(False, f"Heading levels to fix: {_joined(found)}.", _listed(problems))


def _empty_reason(section: SectionFacts) -> tuple[str, str] | None:
    """Why a section shows readers nothing (and the field to fill), or None."""
    kind = section.content_type
    if kind == SectionType.IMAGE:
        if section.image is None:
            gone = section.image_id is not None
            return ("shows no image: its image was deleted" if gone else "shows no image"), "image"
        return None
    if kind == SectionType.VIDEO:
        return None if (section.video_url or "").strip() else ("has no video address", "video_url")
    if kind == SectionType.AUDIO:
        return None if (section.audio_url or "").strip() else ("has no audio address", "audio_url")
    reading = markdown.read(section.content or "")
    if reading.shows_something:
        return None
    return ("holds only headings, no text" if reading.headings else "has no text"), "content"


def empty_sections(facts: PostFacts) -> Outcome:
    found, problems = [], []
    for section in facts.sections:
        reason = _empty_reason(section)
        if reason is None:
            continue
        why, field_name = reason
        found.append(f"{section.name} {why}")
        problems.append(
            Problem(
                f"{_capital(section.name)} {why}: fill it in or remove the section.",
                section.field_id(field_name),
                "Go to the section",
            )
        )
    if not found:
        return Outcome(True, "Every section has something to show.")
    return Outcome(False, f"Empty sections: {_joined(found)}.", _listed(problems))


def _when(moment: datetime) -> str:
    return date_format(localtime(moment), "Y-m-d H:i")


def _why_broken(facts: PostFacts, kind: str, value: str) -> str | None:
    if kind == "nothing":
        return "leads to no page of this blog"
    if kind == "tag":
        if value in facts.tag_slugs or facts.linked_tags.get(value):
            return None  # this post carries the tag: its page shows at least this post once published
        return "leads to a tag no published post has yet" if value in facts.linked_tags else "leads to no tag"
    if value == facts.slug:
        return None  # the post's own page
    target = facts.linked_posts.get(value)
    if target is None:
        return "leads to no post"
    if target.state in ("live", "moved"):
        return None
    if target.state == "scheduled" and target.publish_at is not None:
        if facts.publish_at is not None and target.publish_at <= facts.publish_at:
            return None  # published before this post will be
        return f"leads to a post not published yet (scheduled for {_when(target.publish_at)})"
    if target.state == "trash":
        return "leads to a post in the trash"
    return "leads to a post that is not published"


def broken_links(facts: PostFacts) -> Outcome:
    found, problems = [], []
    for text in texts(facts):
        for href in text.reading.links:
            target = link_target(href)
            why = _why_broken(facts, *target) if target else None
            if why is None:
                continue
            link = markdown.opening(href, 1)
            found.append(f"“{link}” in {text.place} {why}")
            problems.append(Problem(f"The link “{link}” in {text.place} {why}.", text.field_id, "Edit the link"))
    if not found:
        return Outcome(True, "Every link to this blog's posts and tags leads to a published page.")
    return Outcome(False, f"Broken links: {_joined(found)}.", _listed(problems))


def readability(facts: PostFacts) -> Outcome:
    all_texts = list(texts(facts))
    measured = [
        (count_words(sentence), sentence, text)
        for text in all_texts
        for block in text.reading.blocks
        for sentence in markdown.sentences(block)
    ]
    if not measured:
        return Outcome(True, "No sentences to measure yet.")
    average = sum(words for words, _, _ in measured) / len(measured)
    longest_words, _, where = max(measured, key=lambda item: item[0])
    said = (
        f"{average:.0f} words on average (aim for {AVERAGE_WORDS} or fewer), the longest {longest_words} words "
        f"(aim for {LONGEST_WORDS} or fewer), in {where.place}"
    )
    if average <= AVERAGE_WORDS and longest_words <= LONGEST_WORDS:
        return Outcome(True, f"Sentences are easy to follow: {said}.")
    problems = [
        Problem(
            f"A sentence of {words} words in {text.place}: “{markdown.opening(sentence)}”. Split it in two or three.",
            text.field_id,
            "Edit the text",
        )
        for words, sentence, text in sorted(measured, key=lambda item: -item[0])
        if words > LONGEST_WORDS
    ]
    if not problems:  # long on average, though no sentence is very long: point at the wordiest text
        wordiest = max(all_texts, key=lambda text: _average(text, measured))
        problems.append(
            Problem(
                f"The sentences of {wordiest.place} are {_average(wordiest, measured):.0f} words long on average: "
                "shorten some.",
                wordiest.field_id,
                "Edit the text",
            )
        )
    return Outcome(False, f"Sentences are long: {said}.", _listed(problems))


def _average(text: Text, measured: list) -> float:
    counts = [words for words, _, where in measured if where is text]
    return sum(counts) / len(counts) if counts else 0.0
