"""Read queries of the media library, for the admin and the commands."""

from datetime import timedelta

from django.db.models import Q, QuerySet
from django.db.models.fields.json import KeyTransform
from django.utils import timezone

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


# The image chooser's size filter: width as readers see it, at the rendition widths' steps.
SIZES = {"small": (None, 960), "medium": (960, 1600), "large": (1600, None)}
MAX_PIXELS_SIDE = 2**31


def chooser_images(
    *, search: str = "", shape: str = "", size: str = "", uploaded_days: int | None = None, without_alt: bool = False
) -> QuerySet[Image]:
    """Images for the chooser, newest first. Width and height are compared as the metadata's JSON values
    (a row whose metadata was edited by hand into something else matches no shape or size, never fails)."""
    images = Image.objects.only(
        "id", "filename", "original_filename", "path", "alt_text", "image_metadata", "watermarked", "watermarked_path"
    )
    if search:
        images = images.filter(
            Q(original_filename__icontains=search) | Q(alt_text__icontains=search) | Q(caption__icontains=search)
        )
    if shape or size in SIZES:
        # jsonb orders strings below numbers and booleans, arrays and objects above: keep real sizes only.
        images = images.filter(
            image_metadata__width__gt=0,
            image_metadata__width__lt=MAX_PIXELS_SIDE,
            image_metadata__height__gt=0,
            image_metadata__height__lt=MAX_PIXELS_SIDE,
        )
    height = KeyTransform("height", "image_metadata")
    if shape == "landscape":
        images = images.filter(image_metadata__width__gt=height)
    elif shape == "portrait":
        images = images.filter(image_metadata__width__lt=height)
    elif shape == "square":
        images = images.filter(image_metadata__width=height)
    if size in SIZES:
        low, high = SIZES[size]
        images = images.filter(image_metadata__width__gte=low or 0, image_metadata__width__lt=high or MAX_PIXELS_SIDE)
    if uploaded_days:
        images = images.filter(created_at__gte=timezone.now() - timedelta(days=uploaded_days))
    if without_alt:
        images = images.filter(Q(alt_text__isnull=True) | Q(alt_text__regex=r"^\s*$"))
    return images.order_by("-created_at", "-id")
