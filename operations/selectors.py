"""Reads of the operations app."""

from operations.models import RestoreDrill


def recent_drills(limit: int = 30) -> list[RestoreDrill]:
    """The latest drills, newest first."""
    return list(RestoreDrill.objects.order_by("-started_at", "-id")[:limit])
