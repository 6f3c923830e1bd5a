"""Load the demo content and default prompts once, and make a local admin account.

Safe to run on every `make run`: demo posts are loaded only into a blog without posts,
prompts only where one of that name is missing, and the admin only when there is none.
"""

import secrets
from collections import defaultdict
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import serializers
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand
from django.core.management.color import no_style
from django.db import connection, transaction

from content.editorial import services
from content.models import Post, PostSection, Tag, TaggedPost
from llm.models import LLMPrompt
from media_library.models import Image

FIXTURES_DIR = Path(settings.BASE_DIR) / "fixtures"
ADMIN_USERNAME = "admin"


class Command(BaseCommand):
    help = "Load demo posts, images and default prompts once; create a local admin and print its credentials."

    @transaction.atomic
    def handle(self, *args, **options):
        copied = self.copy_demo_media()
        if Post.objects.exists():
            self.stdout.write("Demo content: the blog already has posts, nothing loaded.")
        else:
            loaded = self.load_demo_posts()
            self.stdout.write(self.style.SUCCESS(f"Demo content loaded ({loaded} posts)."))
        added = self.add_missing_prompts()
        self.stdout.write(f"Prompts: {added} added; demo media files copied: {copied}.")
        self.ensure_admin()

    def load_demo_posts(self) -> int:
        """Images and tags as the fixture has them; each post with its sections and tags through the save service."""
        sections, tag_names, tag_of_post, posts = defaultdict(list), {}, defaultdict(list), []
        with (FIXTURES_DIR / "demo.json").open() as handle:
            for deserialized in serializers.deserialize("json", handle):
                row = deserialized.object
                if isinstance(row, Post):
                    posts.append(row)
                elif isinstance(row, PostSection):
                    sections[row.post_id].append(row)
                elif isinstance(row, TaggedPost):
                    tag_of_post[row.content_object_id].append(row.tag_id)
                else:
                    deserialized.save()
                    if isinstance(row, Tag):
                        tag_names[row.pk] = row.name
        for post in posts:
            services.save_post(
                post,
                None,
                comment="Demo content loaded.",
                sections=services.SectionChanges(saved=sections[post.pk]),
                tags=[tag_names[pk] for pk in tag_of_post[post.pk]],
            )
        with connection.cursor() as cursor:  # rows were written with the fixture's ids
            for statement in connection.ops.sequence_reset_sql(no_style(), [Post, PostSection, Tag, TaggedPost, Image]):
                cursor.execute(statement)
        return len(posts)

    def copy_demo_media(self) -> int:
        copied = 0
        for source in sorted((FIXTURES_DIR / "media").rglob("*.*")):
            name = source.relative_to(FIXTURES_DIR / "media").as_posix()
            if not default_storage.exists(name):
                with source.open("rb") as handle:
                    default_storage.save(name, handle)
                copied += 1
        return copied

    def add_missing_prompts(self) -> int:
        existing = set(LLMPrompt.objects.values_list("name", flat=True))
        added = 0
        with (FIXTURES_DIR / "prompts.json").open() as handle:
            for deserialized in serializers.deserialize("json", handle):
                prompt = deserialized.object
                if prompt.name not in existing:
                    prompt.pk = None
                    prompt.save()
                    added += 1
        return added

    def ensure_admin(self) -> None:
        credentials = Path(settings.DEMO_CREDENTIALS_FILE)
        users = get_user_model().objects
        if not users.filter(username=ADMIN_USERNAME).exists():
            password = secrets.token_urlsafe(12)
            users.create_superuser(ADMIN_USERNAME, "admin@localhost", password)
            credentials.parent.mkdir(parents=True, exist_ok=True)
            credentials.write_text(f"{ADMIN_USERNAME}\n{password}\n")
            credentials.chmod(0o600)
        if credentials.exists():
            username, password = credentials.read_text().split()[:2]
            self.stdout.write(
                self.style.SUCCESS(f"Admin: {settings.SITE_URL}/admin/  user: {username}  password: {password}")
            )
        else:
            self.stdout.write(f"Admin: user {ADMIN_USERNAME!r} exists; its password was set outside load_demo.")
