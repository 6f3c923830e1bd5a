"""Posts' rendered HTML (``post_section_html``, ``post_intro_html``) and two functions a post page reads through.

``post_sections_json(post_id)`` and ``post_tags_json(post_id)`` return a post's sections (each
with its image and stored HTML) and its tags as JSON arrays, for content.selectors.post page
queries. As PL/pgSQL functions they are planned once per database connection: as subqueries
of the page's query they were planned on every request (0.7 ms, more than running them).
``json``, not ``jsonb``: it is built as text and read once, 0.6 ms against 0.9 ms for 20 sections.
"""

import django.db.models.deletion
from django.db import migrations, models

FUNCTIONS = """
CREATE FUNCTION post_sections_json(post_id integer) RETURNS json LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (
        SELECT json_agg(
            json_build_object(
                'id', s.id, 'post_id', s.post_id, 'title', s.title, 'subtitle', s.subtitle,
                'content', s.content, 'position', s.position, 'content_type', s.content_type,
                'image_id', s.image_id, 'video_url', s.video_url, 'audio_url', s.audio_url,
                'duration', s.duration, 'social_media_snippets', s.social_media_snippets,
                'image', CASE WHEN i.id IS NULL THEN NULL ELSE json_build_object(
                    'id', i.id, 'path', i.path, 'alt_text', i.alt_text, 'caption', i.caption,
                    'image_metadata', i.image_metadata, 'watermarked', i.watermarked,
                    'watermarked_path', i.watermarked_path) END,
                'stored_key', h.source_key, 'stored_html', h.html)
            ORDER BY s.position)
        FROM post_section s
        LEFT JOIN image i ON i.id = s.image_id
        LEFT JOIN post_section_html h ON h.section_id = s.id
        WHERE s.post_id = post_sections_json.post_id
    );
END
$$;

CREATE FUNCTION post_tags_json(post_id integer) RETURNS json LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (
        SELECT json_agg(json_build_object('id', t.id, 'name', t.name, 'slug', t.slug) ORDER BY t.name)
        FROM post_tags pt JOIN tag t ON t.id = pt.tag_id
        WHERE pt.post_id = post_tags_json.post_id
    );
END
$$;
"""

DROP_FUNCTIONS = "DROP FUNCTION IF EXISTS post_sections_json(integer); DROP FUNCTION IF EXISTS post_tags_json(integer);"


class Migration(migrations.Migration):
    dependencies = [
        ("content", "0007_content_state_function"),
    ]

    operations = [
        migrations.CreateModel(
            name="SectionHtml",
            fields=[
                (
                    "section",
                    models.OneToOneField(
                        db_column="section_id",
                        on_delete=django.db.models.deletion.DB_CASCADE,
                        primary_key=True,
                        related_name="rendered",
                        serialize=False,
                        to="content.postsection",
                    ),
                ),
                ("source_key", models.CharField(max_length=64)),
                ("html", models.TextField()),
            ],
            options={
                "db_table": "post_section_html",
            },
        ),
        migrations.CreateModel(
            name="IntroHtml",
            fields=[
                (
                    "post",
                    models.OneToOneField(
                        db_column="post_id",
                        on_delete=django.db.models.deletion.DB_CASCADE,
                        primary_key=True,
                        related_name="rendered_intro",
                        serialize=False,
                        to="content.post",
                    ),
                ),
                ("source_key", models.CharField(max_length=64)),
                ("html", models.TextField()),
            ],
            options={
                "db_table": "post_intro_html",
            },
        ),
        migrations.RunSQL(FUNCTIONS, DROP_FUNCTIONS),
    ]
