"""Headers that keep public pages inert even if something slipped past the sanitizer."""

from collections.abc import Callable
from functools import cache, wraps
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse

EMBED_ORIGINS = "https://www.youtube-nocookie.com https://player.vimeo.com"


@cache
def content_security_policy() -> str:
    """No scripts at all; media from this site, https, and the media storage's own origin."""
    media = urlsplit(settings.MEDIA_URL)
    media_origin = f" {media.scheme}://{media.netloc}" if media.scheme and media.netloc else ""
    return (
        "default-src 'self'; script-src 'none'; object-src 'none'; base-uri 'none'; form-action 'self'; "
        f"frame-ancestors 'none'; img-src 'self' data: https:{media_origin}; "
        f"media-src 'self' https:{media_origin}; frame-src {EMBED_ORIGINS}; style-src 'self'"
    )


def public_headers(view: Callable) -> Callable:
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response.setdefault("Content-Security-Policy", content_security_policy())
        response.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        return response

    return wrapper
