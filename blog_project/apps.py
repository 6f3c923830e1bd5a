from django.apps import AppConfig


class BlogProjectConfig(AppConfig):
    name = "blog_project"
    verbose_name = "Blog project"
