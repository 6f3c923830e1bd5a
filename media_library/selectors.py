"""Read queries of the media library, for the admin, commands and the publishing checks."""

from collections.abc import Iterable

from django.db.models import Count, Q, QuerySet

from media_library.models import Image


def _section_model():
    """PostSection, reached through the relation so that this app imports nothing of content."""
    return Image._meta.get_field("sections").related_model


def images_missing_alt_text(image_ids: Iterable[int]) -> QuerySet[Image]:
    """Those of ``image_ids`` without alt text (empty or blank): a post showing them may not be published."""
    return Image.objects.filter(pk__in=list(image_ids)).filter(Q(alt_text__isnull=True) | Q(alt_text__regex=r"^\s*$"))


def image_usage(image_ids: Iterable[int]) -> dict[int, list]:
    """Per image id, the posts whose sections show it (each post once, by title); one query."""
    sections = (
        _section_model()
        .objects.filter(image_id__in=list(image_ids))
        .select_related("post")
        .only("image_id", "post__id", "post__title", "post__slug")
        .order_by("post__title", "post_id")
    )
    usage: dict[int, list] = {}
    for section in sections:
        posts = usage.setdefault(section.image_id, [])
        if section.post not in posts:
            posts.append(section.post)
    return usage


def images_for_admin_list() -> QuerySet[Image]:
    return Image.objects.annotate(post_count=Count("sections__post", distinct=True))


def images_needing_derivatives(fingerprint: str) -> QuerySet[Image]:
    """Images whose watermark or renditions were made with other settings, or never."""
    current = Q(image_metadata__contains={"derivatives_fingerprint": fingerprint})
    return Image.objects.filter(~current | Q(image_metadata__isnull=True))


def formats_in_use() -> list[str]:
    return sorted(
        {value for value in Image.objects.values_list("image_metadata__format", flat=True).distinct() if value}
    )
