"""A URLconf with a view that fails, for the 500 page test; the site's own routes and handler500 otherwise."""

from django.urls import path

from blog_project.urls import handler500, urlpatterns  # noqa: F401  handler500 is read from this module


def fails(request):
    raise ValueError("a bug in a view")


urlpatterns = [path("fails/", fails), *urlpatterns]
