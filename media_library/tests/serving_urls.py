"""The project's URLs with SERVE_MEDIA's route, as blog_project/urls.py adds it when the setting is on."""

from blog_project.urls import urlpatterns as project_urlpatterns
from media_library.serving import media_urlpatterns

urlpatterns = [*media_urlpatterns(), *project_urlpatterns]
