"""Template tags of the admin's own pages (the editor's desk); readers' pages use content_tags."""

from django import template
from django.contrib import admin
from django.utils.http import url_has_allowed_host_and_scheme

register = template.Library()


TITLES = {"permission": "You may not open this page", "csrf": "This form could not be sent"}


@register.inclusion_tag("admin/forbidden.html", takes_context=True)
def admin_forbidden_page(context, why="permission"):
    """The admin's 403 pages (``why``: a missing permission, or a form's CSRF check): Django renders
    403.html and 403_csrf.html with no admin context, so it is added here."""
    request = context["request"]
    back = request.META.get("HTTP_REFERER", "")
    safe = url_has_allowed_host_and_scheme(back, {request.get_host()}, require_https=request.is_secure())
    if not safe or back == request.build_absolute_uri():
        back = ""
    return {
        **admin.site.each_context(request),
        "request": request,
        "user": request.user,
        "title": TITLES[why],
        "why": why,
        "back_url": back,
    }


@register.simple_tag
def stacked_inline(inline_admin_formset):
    """A stacked inline's forms as ``admin/edit_inline/stacked.html`` renders them, in Python (inline_rendering)."""
    from content.editorial.inline_rendering import stacked_inline

    return stacked_inline(inline_admin_formset)
