"""The publishing calendar, mixed into PostAdmin: a month of schedules and publications, and rescheduling.

Everyone who may see posts sees it; Publishers reschedule from it, with a small form per entry (which
works without JavaScript) or by dragging an entry onto a day (static/editorial/calendar.js fills that
form in and sends it). Both go through ``rescheduling.reschedule``, the workflow's own steps.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from content.editorial import calendar, rescheduling, workflow
from content.editorial.admin_pages import PostPagesMixin, int_or_none, publish_time
from content.editorial.workflow_steps import WorkflowDenied


def month_url(year: int, month: int, anchor: str = "") -> str:
    return f"{reverse('admin:content_post_calendar')}?year={year}&month={month}" + (f"#{anchor}" if anchor else "")


class CalendarAdminMixin(PostPagesMixin):
    """Adds the calendar's URLs and views to a ModelAdmin of Post."""

    def get_urls(self):
        return [
            *self.pages(
                ("calendar/", "calendar_view", "content_post_calendar"),
                ("calendar/reschedule/", "reschedule_view", "content_post_reschedule"),
            ),
            *super().get_urls(),
        ]

    def calendar_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        now = timezone.now()
        today = timezone.localdate(now)
        context = self.page_context(request, "Publishing calendar", time_zone=timezone.get_current_timezone_name())
        try:
            year, month = calendar.month_asked(request.GET.get("year"), request.GET.get("month"), today)
        except calendar.MonthRefused as refusal:
            context.update(error=str(refusal), this_month=month_url(today.year, today.month))
            return TemplateResponse(request, "admin/content/post/calendar.html", context, status=400)
        view = calendar.month_view(year, month, request.user, now)
        context.update(
            month=view,
            weekdays=calendar.WEEKDAYS,
            previous_url=month_url(view.previous.year, view.previous.month) if view.previous else "",
            next_url=month_url(view.next.year, view.next.month) if view.next else "",
            missed_shown=calendar.MISSED_SHOWN,
        )
        return TemplateResponse(request, "admin/content/post/calendar.html", context)

    def reschedule_view(self, request: HttpRequest) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not request.user.has_perm(workflow.PUBLISH):
            raise PermissionDenied
        data = request.POST
        try:  # back to the month the form was sent from
            back = month_url(*calendar.month_asked(data.get("year"), data.get("month"), timezone.localdate()))
        except calendar.MonthRefused:
            back = reverse("admin:content_post_calendar")
        pk = int_or_none(data.get("post"))
        try:
            if pk is None:
                raise WorkflowDenied("Say which post to reschedule.")
            publish_at = publish_time(data.get("publish_at"))
            post = rescheduling.reschedule(
                data.get("kind", ""), pk, request.user, token=int_or_none(data.get("token")), publish_at=publish_at
            )
        except WorkflowDenied as refusal:
            messages.error(request, f"Not rescheduled: {refusal}")
            return HttpResponseRedirect(back)
        local = timezone.localtime(publish_at)
        what = "Its unpublished changes are" if data.get("kind") == "changes" else "It is"
        when = f"{local:%A} {local.day} {local:%B %Y at %H:%M}"
        messages.success(request, f"“{post}” rescheduled. {what} now due on {when}.")
        return HttpResponseRedirect(month_url(local.year, local.month, f"entry-{data.get('kind')}-{pk}"))
