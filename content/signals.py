"""Keeps each section's stored HTML (``content.section_html``) in step with ORM saves.

Derived data, the one thing signals are used for here (as Wagtail keeps its search index):
every save of a section or of an image it shows re-renders what changed, in the saving
transaction, whichever form, service or task saved it. Fixtures (``raw``) are rendered by
``manage.py render_sections``; pages never show stale HTML either way.
"""

from django.db.models.signals import post_save
from django.dispatch import receiver

from content import section_html
from content.models import PostSection
from media_library.models import Image


@receiver(post_save, sender=PostSection, dispatch_uid="content.store_section_html")
def store_section_html(sender, instance: PostSection, raw: bool, **kwargs) -> None:
    if not raw:
        section_html.store([instance])


@receiver(post_save, sender=Image, dispatch_uid="content.store_html_of_sections_showing_image")
def store_html_of_sections_showing(sender, instance: Image, raw: bool, **kwargs) -> None:
    if not raw:
        section_html.store(PostSection.objects.filter(image=instance).select_related("image"))
