"""LLM assistance for posts: the context each prompt gets from a post, and where each answer goes.

``llm`` runs prompts generically; this module registers one ``PromptUse`` per default prompt
(see fixtures/prompts.json), builds its context from a post or section, and applies the
result in one transaction, naming the interaction in ``llm_metadata`` / ``section_metadata``.
"""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from content.editorial import services
from content.models import Post, PostSection, SectionType
from llm.client import CallResult
from llm.errors import ApplyFailed
from llm.uses import PromptUse, Target, register

MAX_TEXT = 12_000  # characters of post text sent to the model

# The workflow sub-stage each kind of answer serves (its LLM column lists the interaction).
SUBSTAGE_SERVED = {
    "summary": "summary_seo",
    "title_ideas": "draft",
    "social_media_snippets": "social",
    "keywords": "summary_seo",
    "image_prompt": "sections_media",
    "alt_text": "sections_media",
}

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


def post_text(post: Post) -> str:
    parts = [post.content]
    for section in post.sections.filter(content_type=SectionType.TEXT).only("title", "content"):
        parts.extend([section.title or "", section.content])
    return "\n\n".join(part.strip() for part in parts if part and part.strip())[:MAX_TEXT]


def _section_text(section: PostSection) -> str:
    text = section.content or (section.image.caption if section.image else "") or ""
    return text.strip()[:MAX_TEXT]


def post_context(target: Target) -> dict[str, str]:
    post = _post(target)
    return {"title": post.title, "subtitle": post.subtitle or "", "post_text": post_text(post)}


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


def _note(result: CallResult) -> dict:
    return {"interaction": result.interaction_id, "model": result.model, "at": timezone.now().isoformat()}


def _save_post(post: Post, key: str, result: CallResult, *fields: str) -> None:
    """Save what the answer changed on the post, noting the interaction on the sub-stage it serves."""
    services.save_post(
        post,
        None,
        comment=f"LLM {key} applied.",
        update_fields=[*fields, "llm_metadata"],
        llm=services.LlmNote(SUBSTAGE_SERVED[key], result.interaction_id),
    )


def _save_post_metadata(post: Post, key: str, value: dict, *fields: str, result: CallResult) -> None:
    post.llm_metadata = {**(post.llm_metadata or {}), key: value}
    _save_post(post, key, result, *fields)


def _save_section(section: PostSection, key: str, result: CallResult, *, noted: bool = True) -> None:
    """Save the section (its metadata naming the interaction when ``noted``) through its post's save."""
    if noted:
        section.section_metadata = {**(section.section_metadata or {}), key: _note(result)}
    services.save_post(
        section.post,
        None,
        comment=f"LLM {key} applied to section {section.position}.",
        sections=services.SectionChanges(saved=[section]),
        update_fields=[],
        llm=services.LlmNote(SUBSTAGE_SERVED[key], result.interaction_id),
    )


@transaction.atomic
def apply_summary(target: Target, result: CallResult) -> None:
    post = _post(target, lock=True)
    post.summary = result.output[: Post._meta.get_field("summary").max_length]
    _save_post_metadata(post, "summary", _note(result), "summary", result=result)


@transaction.atomic
def apply_title_ideas(target: Target, result: CallResult) -> None:
    post = _post(target, lock=True)
    _save_post_metadata(post, "title_ideas", {"titles": result.output["titles"], **_note(result)}, result=result)


@transaction.atomic
def apply_snippets(target: Target, result: CallResult) -> None:
    if target.section_id is None:
        post = _post(target, lock=True)
        _save_post_metadata(post, "social_media_snippets", {"snippets": result.output, **_note(result)}, result=result)
        return
    section = _section(target, lock=True)
    section.social_media_snippets = result.output
    _save_section(section, "social_media_snippets", result)


@transaction.atomic
def apply_keywords(target: Target, result: CallResult) -> None:
    section = _section(target, lock=True)
    section.keywords = result.output["keywords"]
    _save_section(section, "keywords", result)


@transaction.atomic
def apply_image_prompt(target: Target, result: CallResult) -> None:
    """Onto the section's image when it has one, else kept in the section's metadata for later."""
    section = _section(target, lock=True)
    if section.image is not None:
        section.image.image_prompt = result.output
        section.image.save(update_fields=["image_prompt", "updated_at"])
        _save_section(section, "image_prompt", result)
        return
    section.section_metadata = {
        **(section.section_metadata or {}),
        "image_prompt": {"text": result.output, **_note(result)},
    }
    _save_section(section, "image_prompt", result, noted=False)


@transaction.atomic
def apply_alt_text(target: Target, result: CallResult) -> None:
    section = _section(target, lock=True)
    if section.image is None:
        raise ApplyFailed("The section's image was removed before the alt text arrived.")
    section.image.alt_text = result.output[:500]
    section.image.save(update_fields=["alt_text", "updated_at"])
    _save_section(section, "alt_text", result)


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
