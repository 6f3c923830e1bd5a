"""Writes of the operations app."""

from operations.models import RestoreDrill


def record_drill(**fields) -> RestoreDrill:
    """Keep one drill's outcome (the fields of ``RestoreDrill``)."""
    return RestoreDrill.objects.create(**fields)
