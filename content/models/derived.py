"""Data derived from posts, never edited: stored HTML and search documents."""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models

from content.models.posts import Post, PostSection


class StoredHtml(models.Model):
    """HTML rendered once and kept, valid while ``source_key`` matches what it was rendered from.

    Derived data, like the ``html`` column Ghost keeps beside a post's source: a page uses it
    only while the key it computes from the rows it just read (the text, the image, the
    templates and media settings) is this one, else renders the piece itself. So a write that
    stores no HTML (raw SQL, a restore, a deploy with new templates) costs speed until
    ``manage.py render_html`` runs, never correctness (``content.stored_html``). Kept apart from
    ``post`` and ``post_section`` so the heaps that searches read do not grow.
    """

    source_key = models.CharField(max_length=64)
    html = models.TextField()
    describes = "HTML of"

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.describes} {self.pk}"


def _stored_html_of(model, related_name: str, column: str) -> models.OneToOneField:
    """The owner of stored HTML: one row each, removed with it."""
    return models.OneToOneField(
        model, on_delete=models.DB_CASCADE, primary_key=True, related_name=related_name, db_column=column
    )


class SectionHtml(StoredHtml):
    """A section's ``<section>`` element as readers see it."""

    describes = "HTML of section"
    section = _stored_html_of(PostSection, "rendered", "section_id")

    class Meta:
        db_table = "post_section_html"


class IntroHtml(StoredHtml):
    """A post's introduction (``post.content``, Markdown) as HTML."""

    describes = "HTML of the introduction of post"
    post = _stored_html_of(Post, "rendered_intro", "post_id")

    class Meta:
        db_table = "post_intro_html"


class PostSearchDocument(models.Model):
    """One search document per post: its own fields and all its sections' text, for finding posts.

    Kept by PostgreSQL triggers in the writing statement (migration ``content/0010_post_search_document``,
    see content/search.py); never written by Django.
    """

    post = models.OneToOneField(Post, on_delete=models.DB_CASCADE, primary_key=True, related_name="search_document")
    document = SearchVectorField()
    # Copies of the post's columns that decide whether readers see it (PostQuerySet.live()).
    published = models.BooleanField(null=True)
    published_at = models.DateTimeField(null=True)
    deleted_at = models.DateTimeField(null=True)

    class Meta:
        db_table = "post_search"
        indexes = [GinIndex(fields=["document"], name="post_search_document")]

    def __str__(self) -> str:
        return f"Search document of post {self.post_id}"
