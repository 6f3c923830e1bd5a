"""LLM assistance for posts: the context each prompt gets from a post, and what becomes of each answer.

``llm`` runs prompts generically; this module registers one ``PromptUse`` per default prompt
(see fixtures/prompts.json) and builds its context from a post (its working copy where it has one)
or a section. An answer becomes a suggestion (``content.editorial.suggestions``) that an editor
accepts, edits or dismisses: a finished task never writes a post.
"""

from collections.abc import Iterable

from django.db import transaction

from content.editorial import suggestions, working_copies
from content.models import Post, PostSection, SectionType
from llm.client import CallResult
from llm.errors import ApplyFailed
from llm.uses import PromptUse, Target, register

MAX_TEXT = 12_000  # characters of post text sent to the model


POST_PLACEHOLDERS = {
    "title": "the post's title",
    "subtitle": "the post's subtitle (may be empty)",
    "post_text": "the introduction and the text of every text section",
}
SECTION_PLACEHOLDERS = {
    "title": "the post's title",
    "section_title": "the section's title (may be empty)",
    "section_text": "the section's text, or its image caption",
}


def _post(target: Target, *, lock: bool = False) -> Post:
    posts = Post.objects.alive()
    if lock:
        posts = posts.select_for_update()
    post = posts.filter(pk=target.post_id).first()
    if post is None:
        raise ApplyFailed("The post no longer exists or is in the trash.")
    return post


def _section(target: Target, *, lock: bool = False) -> PostSection:
    if target.section_id is None:
        raise ApplyFailed("This prompt works on a section; choose one.")
    sections = PostSection.objects.select_related("post", "image")
    if lock:
        sections = sections.select_for_update(of=("self",))
    section = sections.filter(pk=target.section_id, post_id=target.post_id).first()
    if section is None:
        raise ApplyFailed("The section no longer exists.")
    return section


def post_text(post: Post, sections=None) -> str:
    """The introduction and text sections (``sections``: a working copy's, else the post's rows)."""
    if sections is None:
        sections = post.sections.filter(content_type=SectionType.TEXT).only("title", "content")
    parts = [post.content]
    for section in sections:
        if section.content_type == SectionType.TEXT:
            parts.extend([section.title or "", section.content])
    return "\n\n".join(part.strip() for part in parts if part and part.strip())[:MAX_TEXT]


def _section_text(section: PostSection) -> str:
    text = section.content or (section.image.caption if section.image else "") or ""
    return text.strip()[:MAX_TEXT]


def post_context(target: Target) -> dict[str, str]:
    """What the editors are working on: a published post's working copy where it has one."""
    draft = working_copies.load(_post(target))
    post = draft.post
    sections = draft.sections if draft.working_copy else None
    return {"title": post.title, "subtitle": post.subtitle or "", "post_text": post_text(post, sections)}


def section_context(target: Target) -> dict[str, str]:
    section = _section(target)
    return {"title": section.post.title, "section_title": section.title or "", "section_text": _section_text(section)}


def snippets_context(target: Target) -> dict[str, str]:
    """Snippets announce a whole post, or one section when a section is chosen."""
    if target.section_id is None:
        return post_context(target)
    section = _section(target)
    return {"title": section.post.title, "subtitle": section.post.subtitle or "", "post_text": _section_text(section)}


def alt_text_context(target: Target) -> dict[str, str]:
    section = _section(target)
    if section.image is None:
        raise ApplyFailed("The section has no image to describe.")
    return {**section_context(target), "caption": section.image.caption or ""}


def _offer(target: Target, result: CallResult, use: str, field: str, value, *, section: bool = False) -> None:
    suggestions.offer(target.post_id, target.section_id if section else None, result.interaction_id, use, field, value)


@transaction.atomic
def apply_summary(target: Target, result: CallResult) -> None:
    _post(target)
    _offer(target, result, "post_summary", "summary", result.output[: Post._meta.get_field("summary").max_length])


@transaction.atomic
def apply_title_ideas(target: Target, result: CallResult) -> None:
    _post(target)
    _offer(target, result, "title_ideas", "title", [str(title)[:200] for title in result.output["titles"]])


@transaction.atomic
def apply_snippets(target: Target, result: CallResult) -> None:
    if target.section_id is None:
        _post(target)
        _offer(target, result, "social_media_snippets", "post_snippets", result.output)
        return
    _section(target)
    _offer(target, result, "social_media_snippets", "social_media_snippets", result.output, section=True)


@transaction.atomic
def apply_keywords(target: Target, result: CallResult) -> None:
    _section(target)
    _offer(target, result, "section_keywords", "keywords", result.output["keywords"], section=True)


@transaction.atomic
def apply_image_prompt(target: Target, result: CallResult) -> None:
    _section(target)
    _offer(target, result, "image_prompt", "image_prompt", result.output, section=True)


@transaction.atomic
def apply_alt_text(target: Target, result: CallResult) -> None:
    section = _section(target)
    if section.image is None:
        raise ApplyFailed("The section's image was removed before the alt text arrived.")
    _offer(target, result, "alt_text", "alt_text", result.output[:500], section=True)


def _post_use(name, label, required, build_context, apply, shape=None) -> PromptUse:
    return PromptUse(name, label, POST_PLACEHOLDERS, frozenset({required}), build_context, apply, shape)


def _section_use(
    name, label, apply, *, shape=None, placeholders=SECTION_PLACEHOLDERS, required="section_text", context=None
) -> PromptUse:
    context = context or section_context
    return PromptUse(name, label, placeholders, frozenset({required}), context, apply, shape, needs_section=True)


USES = [
    _post_use("post_summary", "Generate summary", "post_text", post_context, apply_summary),
    _section_use("section_keywords", "Generate keywords", apply_keywords, shape={"keywords": "list[str]"}),
    _post_use(
        "social_media_snippets",
        "Generate social media snippets",
        "post_text",
        snippets_context,
        apply_snippets,
        shape={"twitter": "str", "linkedin": "str", "mastodon": "str"},
    ),
    _post_use("title_ideas", "Generate title ideas", "title", post_context, apply_title_ideas, {"titles": "list[str]"}),
    _section_use("image_prompt", "Generate image prompt", apply_image_prompt),
    _section_use(
        "alt_text",
        "Generate alt text",
        apply_alt_text,
        placeholders={**SECTION_PLACEHOLDERS, "caption": "the image's caption (may be empty)"},
        required="caption",
        context=alt_text_context,
    ),
]
for _use in USES:
    register(_use)

SECTION_FILTERS = {
    "section_keywords": {"content_type": SectionType.TEXT},
    "image_prompt": {},
    "alt_text": {"image__isnull": False},
}


def targets(use_name: str, posts: Iterable[Post], user_id: int | None) -> list[Target]:
    """What an action on ``posts`` runs on: each post, or each fitting section of each post."""
    post_ids = [post.pk for post in posts]
    if use_name not in SECTION_FILTERS:
        return [Target(post_id=pk, user_id=user_id) for pk in post_ids]
    sections = (
        PostSection.objects.filter(post_id__in=post_ids, **SECTION_FILTERS[use_name])
        .order_by("post_id", "position")
        .values_list("post_id", "pk")
    )
    if use_name == "section_keywords":
        sections = sections.exclude(content="")
    return [Target(post_id=post_id, section_id=pk, user_id=user_id) for post_id, pk in sections]
