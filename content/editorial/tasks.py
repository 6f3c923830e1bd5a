"""Background work of the editorial workflow, on the ``publishing`` queue and its own worker."""

from django.tasks import task

from content.editorial import scheduling


@task(queue_name="publishing")
def publish_scheduled_posts() -> list[int]:
    """Publish every post and unpublished change whose time has come; enqueued for each schedule, safe to run twice."""
    return scheduling.publish_everything_due()
