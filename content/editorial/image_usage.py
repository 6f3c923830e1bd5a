"""The posts whose sections show an image, told to the media library, which imports nothing of content.

Registered in ``ContentConfig.ready()``: the image admin lists, counts and links these posts, and
deleting an image names the posts that lose it.
"""

from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.urls import reverse

from content.models import PostSection
from media_library.usage import ImageUse, UsageSource


def posts_showing(image_ids: list[int]) -> dict[int, list[ImageUse]]:
    """Per image id, the posts whose sections show it (each post once, by title); one query."""
    sections = (
        PostSection.objects.filter(image_id__in=image_ids)
        .select_related("post")
        .only("image_id", "post__id", "post__title", "post__slug")
        .order_by("post__title", "post_id")
    )
    usage: dict[int, list[ImageUse]] = {}
    seen: set[tuple[int, int]] = set()
    for section in sections:
        if (section.image_id, section.post_id) not in seen:
            seen.add((section.image_id, section.post_id))
            url = reverse("admin:content_post_change", args=[section.post_id])
            usage.setdefault(section.image_id, []).append(ImageUse(section.post.title, url))
    return usage


def post_count() -> Subquery:
    """How many posts show the image at ``OuterRef("pk")`` (NULL for none)."""
    posts = (
        PostSection.objects.filter(image_id=OuterRef("pk"))
        .order_by()
        .values("image_id")
        .annotate(posts=Count("post_id", distinct=True))
        .values("posts")
    )
    return Subquery(posts, output_field=IntegerField())


POSTS = UsageSource(uses=posts_showing, count=post_count)
