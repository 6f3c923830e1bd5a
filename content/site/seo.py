"""What a post tells search engines and social networks: meta tags and JSON-LD."""

import json
import sys
from dataclasses import dataclass, field

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.safestring import SafeString, mark_safe

from content.models import Post, SectionType
from content.rendering import DESCRIPTION_CHARS, display_title, image_source, plain_text
from content.site.html_values import cut_at_word

# JSON inside <script> must not be able to close the element or open a comment.
_JSON_SCRIPT_ESCAPES = (("<", "\\u003C"), (">", "\\u003E"), ("&", "\\u0026"))


def absolute_url(url: str) -> str:
    if url.startswith(("http://", "https://")):
        return url
    return settings.SITE_URL.rstrip("/") + "/" + url.lstrip("/")


@dataclass
class PageMeta:
    title: str
    description: str
    canonical: str
    social_title: str = ""
    social_description: str = ""
    twitter_description: str = ""
    image: str = ""
    image_alt: str = ""
    tags: list[str] = field(default_factory=list)


def _snippets(sections) -> dict:
    """The first section's ``social_media_snippets``, as a dict whatever shape it was stored in, each
    value as plain text (snippets may hold Markdown or HTML)."""
    for section in sections:
        value = section.social_media_snippets
        if isinstance(value, dict) and value:
            texts = {key: plain_text(item) for key, item in value.items() if isinstance(item, str)}
            return {key: text for key, text in texts.items() if text}
        if isinstance(value, str) and value.strip():
            return {"description": plain_text(value)}
        if isinstance(value, list) and value and isinstance(value[0], str):
            return {"description": plain_text(value[0])}
    return {}


# Where a post page's meta description comes from: the first of these fields with any text.
DESCRIPTION_FIELDS = ("summary", "subtitle", "content", "title")


def description_source(post) -> tuple[str, str]:
    """(field, its whole plain text) of the field a post page takes its meta description from, before
    it is cut to ``DESCRIPTION_CHARS``; ("", "") when none has text. The editors' content checks ask too."""
    for name in DESCRIPTION_FIELDS:
        value = getattr(post, name)
        text = plain_text(value, limit=sys.maxsize) if value else ""
        if text:
            return name, text
    return "", ""


def post_meta(post: Post, sections, tags) -> PageMeta:
    """Meta for a post page, from already loaded sections and tags (no queries). Descriptions are
    plain text (Markdown and HTML taken out), cut at a word boundary (``rendering.plain_text``)."""
    description = cut_at_word(description_source(post)[1], DESCRIPTION_CHARS)
    snippets = _snippets(sections)
    social = snippets.get("description") or snippets.get("og") or snippets.get("facebook") or description
    title = display_title(post.title)
    meta = PageMeta(
        title=title,
        description=description,
        canonical=absolute_url(post.get_absolute_url()),
        social_title=snippets.get("title") or title,
        social_description=social,
        twitter_description=snippets.get("twitter") or social,
        tags=[tag.name for tag in tags],
    )
    lead = next((s for s in sections if s.content_type == SectionType.IMAGE and s.image is not None), None)
    if lead is not None:
        meta.image = absolute_url(image_source(lead.image).src)
        meta.image_alt = lead.image.alt_text or ""
    return meta


def blog_posting(post: Post, meta: PageMeta) -> SafeString:
    """schema.org BlogPosting as JSON, escaped for a <script type="application/ld+json">."""
    data = {
        "@context": "https://schema.org",
        "@type": "BlogPosting",
        "headline": meta.title,
        "description": meta.description,
        "url": meta.canonical,
        "mainEntityOfPage": meta.canonical,
        "datePublished": post.published_at,
        "dateModified": post.updated_at or post.published_at,
        "keywords": meta.tags,
        "publisher": {"@type": "Organization", "name": settings.SITE_NAME, "url": settings.SITE_URL},
    }
    if meta.image:
        data["image"] = meta.image
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    for character, escaped in _JSON_SCRIPT_ESCAPES:  # str.replace: cheaper than str.translate for three characters
        text = text.replace(character, escaped)
    return mark_safe(text)  # escaped for <script>
