from django.contrib import admin
from django.db import models

from blog_project.forms import ReadableJSONField
from media_library.models import Image


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    list_display = ["filename", "original_filename", "alt_text", "watermarked", "created_at"]
    list_filter = ["watermarked"]
    search_fields = ["filename", "original_filename", "alt_text", "caption"]
    formfield_overrides = {models.JSONField: {"form_class": ReadableJSONField}}
