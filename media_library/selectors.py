"""Read queries of the media library, for the admin and the commands."""

from django.db.models import Q, QuerySet

from media_library import usage
from media_library.models import Image


def images_for_admin_list() -> QuerySet[Image]:
    return Image.objects.annotate(post_count=usage.use_count())


def images_needing_derivatives(fingerprint: str) -> QuerySet[Image]:
    """Images whose watermark or renditions were made with other settings, or never."""
    current = Q(image_metadata__contains={"derivatives_fingerprint": fingerprint})
    return Image.objects.filter(~current | Q(image_metadata__isnull=True))


def formats_in_use() -> list[str]:
    return sorted(
        {value for value in Image.objects.values_list("image_metadata__format", flat=True).distinct() if value}
    )
