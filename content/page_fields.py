"""What a post page reads, named once.

The page's query (the ``post_sections_json`` and ``post_tags_json`` functions of migration 0008,
read by ``content.site.selectors``) returns these fields, and a section's stored HTML is keyed on
the ones that shape it (``content.stored_html``). ``content/tests/test_page_fields.py`` holds the
SQL functions to these lists.
"""

from content.models import Post

# The fields of a section that its ``<section>`` element is rendered from.
SECTION_RENDERED_FIELDS = (
    "title",
    "subtitle",
    "content",
    "content_type",
    "image_id",
    "video_url",
    "audio_url",
    "duration",
)
SECTION_FIELDS = ("id", "post_id", "position", *SECTION_RENDERED_FIELDS, "social_media_snippets")
# The fields of a section's image that shape the section (``id`` only identifies it).
IMAGE_RENDERED_FIELDS = ("path", "alt_text", "caption", "image_metadata", "watermarked", "watermarked_path")
IMAGE_FIELDS = ("id", *IMAGE_RENDERED_FIELDS)
TAG_FIELDS = ("id", "name", "slug")
# The post's own columns a page reads, in model order (not the search document nor editorial JSON).
POST_FIELDS = tuple(
    field.attname
    for field in Post._meta.concrete_fields
    if field.attname not in ("search_vector", "llm_metadata", "stage_data")
)
