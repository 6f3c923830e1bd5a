"""The project's URLs plus media files, which the live test server does not serve by itself."""

from django.conf import settings
from django.urls import re_path
from django.views.static import serve

from blog_project.urls import urlpatterns as project_urlpatterns


def media(request, path):
    return serve(request, path, document_root=settings.MEDIA_ROOT)


urlpatterns = [re_path(r"^media/(?P<path>.*)$", media), *project_urlpatterns]
