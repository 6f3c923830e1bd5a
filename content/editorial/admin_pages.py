"""What the post admin's extra pages share: their URLs, the post they are about, the admin's page context."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.urls import path
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from content.editorial.workflow_steps import WorkflowDenied
from content.models import Post


def int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def publish_time(value: str | None):
    try:
        moment = parse_datetime(value or "") if value else None
    except ValueError:  # well formed, but no such day or hour (2030-02-30)
        moment = None
    if moment is None:
        raise WorkflowDenied("Give the publication time as a date and time, like 2030-01-31 09:00.")
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


class PostPagesMixin:
    """The base of the post admin's page mixins (workflow, changes, suggestions, autosave)."""

    def pages(self, *routes: tuple[str, str, str]) -> list:
        """URL patterns for (route, view method name, URL name), each behind the admin's login."""
        return [
            path(route, self.admin_site.admin_view(getattr(self, method)), name=name) for route, method, name in routes
        ]

    @staticmethod
    def alive_post(object_id) -> Post | None:
        pk = int_or_none(object_id)
        return Post.objects.alive().filter(pk=pk).first() if pk is not None else None

    def readable_post(self, request: HttpRequest, object_id) -> Post | None:
        post = self.alive_post(object_id)
        if post is not None and not self.has_view_or_change_permission(request, post):
            raise PermissionDenied
        return post

    def changeable_post(self, request: HttpRequest, object_id) -> Post | None:
        post = self.alive_post(object_id)
        if post is not None and not self.has_change_permission(request, post):
            raise PermissionDenied
        return post

    def page_context(self, request: HttpRequest, title: str, **extra) -> dict:
        return {**self.admin_site.each_context(request), "opts": self.opts, "title": title, **extra}
