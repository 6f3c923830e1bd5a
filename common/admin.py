"""Admin pieces shared by the apps."""

from django.contrib import admin

from common.durations import format_duration


class DurationShownMixin:
    """A read-only ModelAdmin whose ``duration`` (seconds) reads as m:ss on its pages, not as a raw number."""

    duration_tenths = False  # True for float seconds worth a tenth (LLM calls)
    readonly_fields = ["duration_shown"]

    @admin.display(description="duration (m:ss)", ordering="duration")
    def duration_shown(self, obj) -> str:
        return format_duration(obj.duration, tenths=self.duration_tenths) or "-"

    def get_fields(self, request, obj=None):
        shown = ("duration_shown" if name == "duration" else name for name in super().get_fields(request, obj))
        return list(dict.fromkeys(shown))
