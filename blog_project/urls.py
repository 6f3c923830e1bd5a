from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from blog_project import health
from blog_project.metrics.views import metrics

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("healthz/live", health.live, name="healthz-live"),
    path("healthz/ready", health.ready, name="healthz-ready"),
    path("metrics", metrics, name="metrics"),
    path("admin/", admin.site.urls),
    path("", include("content.site.urls")),
]

# A database that cannot answer is a 503 with Retry-After; any other error the site's own 500 page.
handler500 = "blog_project.faults.server_error"

if settings.BENCH_FLOOR_VIEW:
    from blog_project.bench_views import floor

    urlpatterns.insert(0, path("_bench/floor/", floor))

if settings.SERVE_MEDIA:  # cache headers, ETag, ranges (media_library/serving.py); a proxy does it better
    from media_library.serving import media_urlpatterns

    urlpatterns += media_urlpatterns()
elif settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
