"""Headers that keep public pages inert even if something slipped past the sanitizer."""

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.csp import CSP, build_policy

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
    """Sends ``public_policy()``, enforced or report-only as the site's policy is, and a referrer policy.

    The header is rendered once, by Django's own ``build_policy``; Django's CSP middleware keeps a
    header the view set (it would otherwise render the policy again on every response)."""
    header = str(CSP.HEADER_ENFORCE if settings.SECURE_CSP else CSP.HEADER_REPORT_ONLY)
    policy = build_policy(public_policy())

    def secured(response: HttpResponse) -> HttpResponse:
        response.headers[header] = policy
        response.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        return response

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        return secured(view(request, *args, **kwargs))

    wrapper.secured = secured  # for answers given without the view (content.site.cache_hits)
    return wrapper
