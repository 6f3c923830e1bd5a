"""Posts, their sections and tags. Tables and columns follow the seed schema."""

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now
from django.utils import timezone
from taggit.managers import TaggableManager
from taggit.models import TagBase, TaggedItemBase

from content.search import post_document, section_document
from content.slugs import unique_slug


class Tag(TagBase):
    name = models.CharField(max_length=50, unique=True)
    slug = models.SlugField(max_length=50, unique=True, allow_unicode=True)

    class Meta:
        db_table = "tag"
        ordering = ["name"]


class TaggedPost(TaggedItemBase):
    """One row per (post, tag) in the seed's ``post_tags`` table."""

    content_object = models.ForeignKey("Post", on_delete=models.DB_CASCADE, db_column="post_id")
    tag = models.ForeignKey(Tag, on_delete=models.DB_CASCADE, related_name="tagged_posts")

    class Meta:
        db_table = "post_tags"
        constraints = [models.UniqueConstraint(fields=["content_object", "tag"], name="post_tags_post_id_tag_id_uniq")]


class PostQuerySet(models.QuerySet["Post"]):
    def alive(self) -> "PostQuerySet":
        """Posts not in the trash."""
        return self.filter(deleted_at__isnull=True)

    def live(self) -> "PostQuerySet":
        """Posts readers may see: published, not trashed, publication time reached."""
        return self.alive().filter(published=True).filter(Q(published_at__isnull=True) | Q(published_at__lte=Now()))


class Post(models.Model):
    title = models.CharField(max_length=200)
    subtitle = models.CharField(max_length=200, null=True, blank=True)
    slug = models.SlugField(max_length=200, unique=True, blank=True, help_text="Left empty, it is made from the title.")
    content = models.TextField(blank=True, help_text="Introduction shown above the sections (Markdown).")
    summary = models.CharField(max_length=500, null=True, blank=True)
    published = models.BooleanField(null=True, default=False, db_default=False)
    created_at = models.DateTimeField(auto_now_add=True, null=True, db_default=Now())
    updated_at = models.DateTimeField(auto_now=True, null=True, db_default=Now())
    llm_metadata = models.JSONField(null=True, blank=True)

    # Columns beyond the seed.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DB_SET_NULL, null=True, blank=True, related_name="posts"
    )
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    publish_at = models.DateTimeField(null=True, blank=True, db_index=True, help_text="Scheduled publication time.")
    deleted_at = models.DateTimeField(
        null=True, blank=True, db_index=True, help_text="Set while the post is in the trash."
    )
    workflow_stage = models.CharField(max_length=50, default="planning", db_default="planning", db_index=True)
    stage_data = models.JSONField(default=dict, blank=True)
    version = models.PositiveIntegerField(
        default=1, db_default=1, help_text="Raised on every save (optimistic locking)."
    )

    tags = TaggableManager(through=TaggedPost, blank=True)
    # Full-text search document, kept in sync by PostgreSQL itself (see content/search.py).
    search_vector = models.GeneratedField(expression=post_document(), output_field=SearchVectorField(), db_persist=True)

    objects = PostQuerySet.as_manager()

    # Set on the post a page shows (content.site.selectors.post_page, working copies' preview), not columns.
    section_list: list["PostSection"]
    tag_list: list[Tag]
    stored_html: dict[int, tuple[str, str]]  # section id -> (source key, HTML)
    stored_intro: tuple[str, str] | None

    class Meta:
        db_table = "post"
        ordering = ["-published_at", "-created_at", "-id"]
        indexes = [
            GinIndex(fields=["search_vector"], name="post_search_vector"),
            # Readers' lists: newest first among published, untrashed posts; counts them by an index-only scan.
            models.Index(
                fields=["-published_at", "-id"],
                name="post_live_published",
                condition=Q(published=True, deleted_at__isnull=True),
            ),
        ]
        permissions = [
            ("publish_post", "Can publish, schedule and unpublish posts"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Post, self.title, exclude_pk=self.pk, max_length=200)
        if self.published and self.published_at is None:
            self.published_at = timezone.now()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        from content.paths import page_path

        return page_path("content:post_detail", self.slug)


class SectionType(models.TextChoices):
    TEXT = "text", "Text"
    IMAGE = "image", "Image"
    VIDEO = "video", "Video"
    AUDIO = "audio", "Audio"

    @property
    def with_article(self) -> str:
        """“A text”, “An image”: the start of a sentence about a section of this type."""
        noun = self.label.lower()
        return f"{'An' if noun[0] in 'aeiou' else 'A'} {noun}"


# For each content type: the field it needs and the media fields it may carry.
REQUIRED_FIELD = {
    SectionType.TEXT: "content",
    SectionType.IMAGE: "image",
    SectionType.VIDEO: "video_url",
    SectionType.AUDIO: "audio_url",
}
MEDIA_FIELDS = ("image", "video_url", "audio_url", "duration")
ALLOWED_MEDIA = {
    SectionType.TEXT: set(),
    SectionType.IMAGE: {"image"},
    SectionType.VIDEO: {"video_url", "duration"},
    SectionType.AUDIO: {"audio_url", "duration"},
}


class PostSection(models.Model):
    # No separate index on post_id: the seed's post_section_position (post_id, position) serves it.
    post = models.ForeignKey(Post, on_delete=models.DB_CASCADE, related_name="sections", db_index=False)
    title = models.CharField(max_length=200, null=True, blank=True)
    subtitle = models.CharField(max_length=200, null=True, blank=True)
    content = models.TextField(blank=True, help_text="Markdown. Required for text sections.")
    position = models.IntegerField(help_text="1 is the first section. Sections are renumbered 1, 2, 3… on save.")
    image = models.ForeignKey(
        "media_library.Image", on_delete=models.DB_SET_NULL, null=True, blank=True, related_name="sections"
    )
    video_url = models.URLField(max_length=500, null=True, blank=True)
    audio_url = models.URLField(max_length=500, null=True, blank=True)
    content_type = models.CharField(
        max_length=50, choices=SectionType.choices, default=SectionType.TEXT, db_default=SectionType.TEXT
    )
    duration = models.IntegerField(null=True, blank=True, help_text="Seconds, for video and audio.")
    keywords = models.JSONField(null=True, blank=True)
    social_media_snippets = models.JSONField(null=True, blank=True)
    section_metadata = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_default=Now())
    updated_at = models.DateTimeField(auto_now=True, db_default=Now())
    search_vector = models.GeneratedField(
        expression=section_document(), output_field=SearchVectorField(), db_persist=True
    )

    class Meta:
        db_table = "post_section"
        ordering = ["post", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["post", "position"],
                name="post_section_post_id_position_key",
                deferrable=models.Deferrable.DEFERRED,
            ),
            models.CheckConstraint(
                condition=Q(content_type__in=SectionType.values), name="post_section_content_type_check"
            ),
            models.CheckConstraint(condition=Q(position__gte=1), name="post_section_position_positive"),
            models.CheckConstraint(
                condition=Q(duration__isnull=True) | Q(duration__gte=0), name="post_section_duration_non_negative"
            ),
        ]
        # No index on search_vector: search finds posts through PostSearchDocument, and a post's first
        # matching section (for the snippet) among its own few sections.
        indexes = [
            models.Index(fields=["post", "position"], name="post_section_position"),
            models.Index(fields=["content_type"], name="post_section_content_type"),
            models.Index(fields=["created_at"], name="post_section_created"),
        ]

    def __str__(self) -> str:
        return self.title or f"{self.get_content_type_display()} section {self.position}"

    def clean(self):
        super().clean()
        errors = {}
        try:
            kind = SectionType(self.content_type)
        except ValueError:
            return  # the field's own choices validation reports it
        required = REQUIRED_FIELD[kind]
        value = self.image_id if required == "image" else getattr(self, required)
        if not value or (isinstance(value, str) and not value.strip()):
            errors[required] = f"{kind.with_article} section needs this field."
        for field in MEDIA_FIELDS:
            current = self.image_id if field == "image" else getattr(self, field)
            if current not in (None, "") and field not in ALLOWED_MEDIA[kind]:
                errors[field] = f"{kind.with_article} section may not carry this field; clear it or change the type."
        if errors:
            raise ValidationError(errors)
