"""What the editorial side keeps beside posts: the workflow's log."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Now
from django.utils import timezone

from content.models.posts import Post


class TransitionQuerySet(models.QuerySet):
    def record(self, post: Post, user, action: str, *, from_stage: str = "", to_stage: str = "", **fields):
        """Log one step; the stages default to the post's current one (a step that does not move it)."""
        return self.create(
            post=post,
            user=user if user is not None and user.is_authenticated else None,
            action=action,
            from_stage=from_stage or post.workflow_stage,
            to_stage=to_stage or post.workflow_stage,
            **fields,
        )


class WorkflowTransition(models.Model):
    """One step a post took through the editorial workflow: who, when, from where to where."""

    post = models.ForeignKey(Post, on_delete=models.DB_CASCADE, related_name="transitions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DB_SET_NULL, null=True, blank=True)
    action = models.CharField(max_length=50)
    from_stage = models.CharField(max_length=50)
    to_stage = models.CharField(max_length=50)
    substage = models.CharField(max_length=50, blank=True, help_text="Set for a move of one sub-stage.")
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_default=Now())

    objects = TransitionQuerySet.as_manager()

    class Meta:
        db_table = "workflow_transition"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["post", "-created_at"], name="workflow_transition_post")]

    def __str__(self) -> str:
        return f"{self.action}: {self.from_stage} → {self.to_stage}"


class WorkingCopy(models.Model):
    """Unpublished changes to a live post: its fields, sections and tags as the editors left them.

    Readers never see it, and writing it changes no cached page (its table raises no post's
    generation). Publishing applies it to the live rows in one transaction and removes it.
    """

    class Stage(models.TextChoices):
        EDITING = "editing", "Being edited"
        IN_REVIEW = "in_review", "Submitted for review"
        APPROVED = "approved", "Approved"

    post = models.OneToOneField(Post, on_delete=models.DB_CASCADE, primary_key=True, related_name="working_copy")
    # The post's own fields, its sections (in order; "id" is null for a section not yet live) and tag names.
    fields = models.JSONField(default=dict)
    sections = models.JSONField(default=list)
    tags = models.JSONField(default=list)
    version = models.PositiveIntegerField(help_text="Raised on every save of the working copy (optimistic locking).")
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.EDITING)
    publish_at = models.DateTimeField(null=True, blank=True, db_index=True, help_text="Scheduled publication.")
    # Who changed what: [{"user": id, "name": "...", "at": iso, "changed": [...]}], oldest first.
    edits = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now, db_default=Now())
    updated_at = models.DateTimeField(default=timezone.now, db_default=Now())

    class Meta:
        db_table = "post_working_copy"

    def __str__(self) -> str:
        return f"Unpublished changes to {self.fields.get('title') or self.post_id}"


class Autosave(models.Model):
    """An editor's unsaved change form, kept every few seconds: not a revision, not seen by readers."""

    post = models.ForeignKey(Post, on_delete=models.DB_CASCADE, related_name="autosaves")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DB_CASCADE, related_name="+")
    data = models.JSONField(help_text="The form's fields as sent: name -> list of values.")
    saved_at = models.DateTimeField(default=timezone.now, db_default=Now())

    class Meta:
        db_table = "post_autosave"
        constraints = [models.UniqueConstraint(fields=["post", "user"], name="post_autosave_post_user_uniq")]

    def __str__(self) -> str:
        return f"Autosave of post {self.post_id} by user {self.user_id}"


class Suggestion(models.Model):
    """An LLM answer offered to the editors, field by field; only an editor's accept changes the post."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for an editor"
        ACCEPTED = "accepted", "Accepted"
        DISMISSED = "dismissed", "Dismissed"

    post = models.ForeignKey(Post, on_delete=models.DB_CASCADE, related_name="suggestions")
    section_id = models.IntegerField(null=True, blank=True, help_text="The section it is for, if any.")
    interaction = models.ForeignKey(
        "llm.LLMInteraction", on_delete=models.DB_SET_NULL, null=True, blank=True, related_name="+"
    )
    use = models.CharField(max_length=50, help_text="The prompt use that made it (post_summary, alt_text…).")
    field = models.CharField(max_length=50, help_text="Where it goes when accepted.")
    value = models.JSONField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DB_SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_default=Now())

    class Meta:
        db_table = "post_suggestion"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Suggested {self.field} for post {self.post_id}"


class SlugRedirect(models.Model):
    """An address a live post had: answered with 301 to where the post is now."""

    old_slug = models.SlugField(max_length=200, unique=True)
    post = models.ForeignKey(Post, on_delete=models.DB_CASCADE, related_name="old_slugs")
    created_at = models.DateTimeField(default=timezone.now, db_default=Now())

    class Meta:
        db_table = "post_slug_redirect"

    def __str__(self) -> str:
        return f"{self.old_slug} → post {self.post_id}"
