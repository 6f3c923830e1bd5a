from django.apps import AppConfig

from common.signals import database_restored

# The models whose tables raise posts' generations (migration 0012): after a save of any, this process's
# page cache waits for its watcher to have read it (read-your-writes; a draft's save too, which costs one reading).
CONTENT_MODELS = ("content.Post", "content.PostSection", "content.Tag", "content.TaggedPost", "media_library.Image")


class ContentConfig(AppConfig):
    name = "content"
    verbose_name = "Content"

    def ready(self):
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from content import checks  # noqa: F401  system checks of the content settings
        from content.site.content_state import note_content_write, notify_watchers

        for model in CONTENT_MODELS:
            for signal in (post_save, post_delete):
                signal.connect(note_content_write, sender=model, dispatch_uid=f"note_content_write:{model}")
        # taggit adds and removes a post's tags in bulk, announced as m2m changes of its through model only.
        m2m_changed.connect(note_content_write, sender="content.TaggedPost", dispatch_uid="note_content_write:m2m")
        from content.editorial import (  # noqa: F401
            admin_site,
            assistance,  # registers the LLM prompt uses
            image_usage,
            revisions,  # registers Post and PostSection with django-reversion
            signals,  # re-renders sections when an image they show changes
        )
        from media_library import usage

        admin_site.dress()  # every app's admin module is loaded: the admin app comes first in INSTALLED_APPS

        # The media library lists, counts and links the posts showing an image; it imports nothing of ours.
        usage.register("content.posts", image_usage.POSTS)
        # A restore loads the tables without their triggers: the page cache's watchers must read them again.
        database_restored.connect(notify_watchers, dispatch_uid="content.site.content_state")
