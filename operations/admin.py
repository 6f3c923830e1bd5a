"""The drills' list and the backups dashboard (staff who may view drills)."""

from datetime import timedelta

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.timesince import timesince

from operations import backup_status, charts, selectors
from operations.models import RestoreDrill

# Cron backs up every hour and drills every day; older than these, the page says so.
BACKUP_STALE = timedelta(hours=2)
DRILL_STALE = timedelta(hours=26)


def size_words(size: int | None) -> str:
    if size is None:
        return "unknown size"
    for unit in ("bytes", "kB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1000
    return ""


@admin.register(RestoreDrill)
class RestoreDrillAdmin(admin.ModelAdmin):
    list_display = ["started_at", "succeeded", "backup_file", "source", "total_seconds", "restore_seconds", "rows"]
    list_filter = ["succeeded", "source"]
    date_hierarchy = "started_at"
    change_list_template = "admin/change_list_with_links.html"

    def changelist_view(self, request, extra_context=None):
        links = [(reverse("admin:operations_dashboard"), "Backups dashboard")]
        return super().changelist_view(request, {**(extra_context or {}), "extra_links": links})

    def get_urls(self):
        view = self.admin_site.admin_view(self.dashboard_view)
        return [path("dashboard/", view, name="operations_dashboard"), *super().get_urls()]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def dashboard_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        now = timezone.now()
        backups = [
            {
                "newest": newest,
                "age": timesince(newest.created, now) if newest.created else "",
                "stale": bool(newest.created and now - newest.created > BACKUP_STALE),
                "size": size_words(newest.size),
            }
            for newest in backup_status.newest_backups()
        ]
        drills = selectors.recent_drills()
        last = drills[0] if drills else None
        context = {
            **self.admin_site.each_context(request),
            "title": "Backups and restore drills",
            "opts": self.model._meta,
            "backups": backups,
            "drills": drills,
            "last": last,
            "last_age": timesince(last.started_at, now) if last else "",
            "last_stale": bool(last and now - last.started_at > DRILL_STALE),
            "chart": charts.drill_chart(drills) if drills else "",
        }
        return TemplateResponse(request, "admin/operations/dashboard.html", context)
