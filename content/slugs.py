from django.db import models
from django.utils.text import slugify


def unique_slug_base(title: str, max_length: int = 200) -> str:
    """The slug a title asks for, before any ``-2`` suffix."""
    return slugify(title)[:max_length].strip("-") or "post"


def unique_slug(model: type[models.Model], title: str, *, exclude_pk=None, max_length: int = 200) -> str:
    """A slug from ``title`` that no other row uses: ``title``, ``title-2``, ``title-3``…"""
    base = unique_slug_base(title, max_length)
    taken = set(
        model._default_manager.filter(slug__startswith=base).exclude(pk=exclude_pk).values_list("slug", flat=True)
    )
    candidate, counter = base, 2
    while candidate in taken:
        suffix = f"-{counter}"
        candidate = f"{base[: max_length - len(suffix)].rstrip('-')}{suffix}"
        counter += 1
    return candidate
