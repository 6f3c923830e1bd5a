"""``{% load images %}`` then ``<img src="{{ image|best_url }}" srcset="{{ image|srcset }}" sizes="…">``."""

from django import template

from media_library import renditions

register = template.Library()


@register.filter
def srcset(image) -> str:
    return renditions.srcset(image)


@register.filter
def best_url(image, width=None) -> str:
    return renditions.best_url(image, int(width) if width else None)
