"""Headers that keep public pages inert even if something slipped past the sanitizer."""

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.csp import CSP
from django.views.decorators.csp import csp_override, csp_report_only_override

EMBED_ORIGINS = ["https://www.youtube-nocookie.com", "https://player.vimeo.com"]


def public_policy() -> dict[str, list[str]]:
    """The site's Content-Security-Policy (settings) made stricter for readers' pages: no
    scripts at all, players only from the allow-list, media also from the storage's origin."""
    site = settings.SECURE_CSP or settings.SECURE_CSP_REPORT_ONLY
    media = urlsplit(settings.MEDIA_URL)
    media_origin = [f"{media.scheme}://{media.netloc}"] if media.scheme and media.netloc else []
    return {
        **site,
        "script-src": [CSP.NONE],
        "style-src": [CSP.SELF],
        "base-uri": [CSP.NONE],
        "frame-src": EMBED_ORIGINS,
        "img-src": [CSP.SELF, "data:", "https:", *media_origin],
        "media-src": [CSP.SELF, "https:", *media_origin],
    }


def public_headers(view: Callable) -> Callable:
    """Django's CSP middleware sends ``public_policy()`` for this view, enforced or report-only as the site's is."""
    override = csp_override if settings.SECURE_CSP else csp_report_only_override
    csp_view = override(public_policy())(view)

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = csp_view(request, *args, **kwargs)
        response.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        return response

    return wrapper
