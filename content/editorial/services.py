"""Every operation that changes posts and sections; each runs in one transaction."""

from collections.abc import Collection

from django.db import transaction
from django.db.models import Max

from content import stored_html
from content.models import Post, PostSection


@transaction.atomic
def renumber_sections(post: Post, *, placed_first: Collection[int] = ()) -> int:
    """Renumber the post's sections 1, 2, 3… keeping their order.

    Sections in ``placed_first`` (new or just moved) go before an untouched section
    that has the same position, which is how an editor inserts or moves a section.
    The unique (post, position) constraint is deferred, so intermediate duplicates
    inside this transaction are fine. Returns how many sections changed position.
    """
    sections = list(PostSection.objects.filter(post=post).select_for_update().only("id", "position"))
    sections.sort(key=lambda section: (section.position, section.pk not in placed_first, section.pk))
    changed = []
    for number, section in enumerate(sections, start=1):
        if section.position != number:
            section.position = number
            changed.append(section)
    PostSection.objects.bulk_update(changed, ["position"])
    return len(changed)


@transaction.atomic
def add_section(post: Post, *, position: int | None = None, **fields) -> PostSection:
    """Insert a section at ``position`` (1-based; default: last), shifting later ones down."""
    last = PostSection.objects.filter(post=post).aggregate(last=Max("position"))["last"] or 0
    target = last + 1 if position is None else max(1, min(position, last + 1))
    section = PostSection(post=post, position=target, **fields)
    section.full_clean(exclude=["position", "post"])
    section.save()
    renumber_sections(post, placed_first={section.pk})
    stored_html.store_for_posts([post.pk])
    section.refresh_from_db(fields=["position"])
    return section
