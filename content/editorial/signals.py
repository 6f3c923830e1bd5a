"""Keeps sections' stored HTML (``content.stored_html``) in step with images saved by the media library.

The media library knows nothing of posts; content listens instead. Editing an image's alt text or
caption, or making its renditions, re-renders the sections that show it in the same transaction.
Pages never show stale HTML either way: without this they would only render those sections each time.
"""

from django.db.models.signals import post_save
from django.dispatch import receiver

from content import stored_html
from content.models import PostSection
from media_library.models import Image


@receiver(post_save, sender=Image, dispatch_uid="content.store_html_of_sections_showing_image")
def store_html_of_sections_showing(sender, instance: Image, raw: bool, **kwargs) -> None:
    if not raw:
        stored_html.store_for_posts(PostSection.objects.filter(image=instance).values_list("post_id", flat=True))
