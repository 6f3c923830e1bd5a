from django.conf import settings

from content.paths import site_links


def site(request):
    return {"SITE_NAME": settings.SITE_NAME, "SITE_URL": settings.SITE_URL.rstrip("/"), "site_links": site_links()}
