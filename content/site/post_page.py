"""What a post page shows, assembled from a post loaded by ``selectors.live_post_page`` (no queries)."""

import html

from django.utils.safestring import SafeString, mark_safe

from content import stored_html
from content.models import Post
from content.site import seo

TOC_MIN_SECTIONS = 4


def table_of_contents(sections) -> SafeString:
    """The ``<li>`` links to a post's titled sections (after ``assign_anchors``), escaped.

    Joined here rather than looped in the template (some sixty variable lookups), with the
    standard library's ``html.escape`` (what Django's ``escape`` calls, without its lazy-string
    checks).
    """
    items = (
        f'<li><a href="#{html.escape(section.anchor)}">{html.escape(section.title)}</a></li>'
        for section in sections
        if section.title
    )
    return mark_safe("".join(items))


def context(post: Post, *, preview: bool) -> dict:
    """The template context of ``content/post_detail.html``."""
    sections, tags = post.section_list, post.tag_list
    body = stored_html.sections_html(sections, post.stored_html)  # also gives the sections their anchors
    meta = seo.post_meta(post, sections, tags)
    return {
        "post": post,
        "preview": preview,
        "intro": stored_html.intro_html(post, post.stored_intro) if post.content else "",
        "toc": table_of_contents(sections) if len(sections) >= TOC_MIN_SECTIONS else "",
        "body": body,
        "tags": tags,
        "meta": meta,
        "json_ld": seo.blog_posting(post, meta),
    }
