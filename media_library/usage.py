"""Where images are shown, as the apps that show them tell it: the library imports none of them.

An app registers a ``UsageSource`` from its ``AppConfig.ready()`` (content does, for the posts
whose sections show an image). The admin lists and counts those places; deleting an image
names the ones that lose it.
"""

import functools
import operator
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Expression, IntegerField, Value
from django.db.models.functions import Coalesce


@dataclass(frozen=True)
class ImageUse:
    """One place that shows an image: its title and its admin page."""

    title: str
    admin_url: str


@dataclass(frozen=True)
class UsageSource:
    # Per image id, the places showing it, in the order to list them; one query for all the ids.
    uses: Callable[[list[int]], dict[int, list[ImageUse]]]
    # An expression counting the places that show the image at OuterRef("pk").
    count: Callable[[], Expression]


_sources: dict[str, UsageSource] = {}


def register(name: str, source: UsageSource) -> None:
    """Add the source called ``name`` (registering a name again replaces it)."""
    _sources[name] = source


def image_usage(image_ids: Iterable[int]) -> dict[int, list[ImageUse]]:
    """Per image id, every place that shows it; images shown nowhere are left out."""
    ids = list(image_ids)
    usage: dict[int, list[ImageUse]] = {}
    for source in _sources.values():
        for image_id, uses in source.uses(ids).items():
            usage.setdefault(image_id, []).extend(uses)
    return usage


def use_count() -> Expression:
    """How many places show each image, as an annotation of an Image queryset."""
    counts = [Coalesce(source.count(), 0) for source in _sources.values()]
    return functools.reduce(operator.add, counts) if counts else Value(0, output_field=IntegerField())
