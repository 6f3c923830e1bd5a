"""Background work of the editorial workflow (django.tasks, run by `manage.py db_worker`)."""

from django.tasks import task

from content.editorial import scheduling


@task
def publish_scheduled_posts() -> list[int]:
    """Publish every post and unpublished change whose time has come; enqueued for each schedule, safe to run twice."""
    return scheduling.publish_everything_due()
