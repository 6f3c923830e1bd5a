"""Read queries for public pages and the admin, with their prefetching."""

from django.db.models import Prefetch, QuerySet

from content.models import Post, PostSection


def live_posts() -> QuerySet[Post]:
    return Post.objects.live().prefetch_related("tags").order_by("-published_at", "-id")


def live_post_with_sections(slug: str) -> Post:
    """The post with its sections (and their images) and tags; raises Post.DoesNotExist."""
    sections = PostSection.objects.select_related("image").order_by("position")
    return Post.objects.live().prefetch_related(Prefetch("sections", queryset=sections), "tags").get(slug=slug)
