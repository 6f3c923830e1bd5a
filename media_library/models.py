from django.db import models
from django.db.models.functions import Now


class Image(models.Model):
    """An uploaded image. Table and columns follow the seed's ``image`` schema."""

    filename = models.CharField(max_length=255, unique=True, help_text="Generated, safe storage name.")
    original_filename = models.CharField(max_length=255, help_text="The uploader's own file name.")
    path = models.ImageField(max_length=500, upload_to="images/%Y/%m/", help_text="Storage path of the original.")
    alt_text = models.CharField(max_length=500, null=True, blank=True)
    caption = models.TextField(null=True, blank=True)
    image_prompt = models.TextField(null=True, blank=True)
    notes = models.TextField(null=True, blank=True)
    image_metadata = models.JSONField(null=True, blank=True)
    watermarked = models.BooleanField(null=True, default=False, db_default=False)
    watermarked_path = models.CharField(max_length=500, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, null=True, db_default=Now())
    updated_at = models.DateTimeField(auto_now=True, null=True, db_default=Now())

    class Meta:
        db_table = "image"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.original_filename or self.filename

    @property
    def lacks_alt_text(self) -> bool:
        """No alt text, or only whitespace: readers of screen readers get nothing, so a post may not show it."""
        return not (self.alt_text or "").strip()

    @property
    def width(self) -> int | None:
        return (self.image_metadata or {}).get("width")

    @property
    def height(self) -> int | None:
        return (self.image_metadata or {}).get("height")
