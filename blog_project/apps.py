from django.apps import AppConfig


class BlogProjectConfig(AppConfig):
    name = "blog_project"
    verbose_name = "Blog project"

    def ready(self):
        from django.db.backends.signals import connection_created

        from blog_project.slow_queries import install

        connection_created.connect(install, dispatch_uid="blog_project.slow_queries")

        from blog_project.backups import status
        from operations import backup_status

        backup_status.register("local", status.newest_local)  # the operations dashboard's newest backups
        backup_status.register("offsite", status.newest_offsite)
