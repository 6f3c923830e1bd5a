"""The database schema honours the seed: tables, columns, types, nullability, indexes, delete rules."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

pytestmark = pytest.mark.django_db

# (table, column) -> (data type, character maximum length, nullable), as the seed documents them.
SEED_COLUMNS = {
    "post": {
        "id": ("integer", None, False),
        "title": ("character varying", 200, False),
        "subtitle": ("character varying", 200, True),
        "slug": ("character varying", 200, False),
        "content": ("text", None, False),
        "summary": ("character varying", 500, True),
        "published": ("boolean", None, True),
        "created_at": ("timestamp with time zone", None, True),
        "updated_at": ("timestamp with time zone", None, True),
        "llm_metadata": ("jsonb", None, True),
    },
    "post_section": {
        "id": ("integer", None, False),
        "post_id": ("integer", None, False),
        "title": ("character varying", 200, True),
        "subtitle": ("character varying", 200, True),
        "content": ("text", None, False),
        "position": ("integer", None, False),
        "image_id": ("integer", None, True),
        "video_url": ("character varying", 500, True),
        "audio_url": ("character varying", 500, True),
        "content_type": ("character varying", 50, False),
        "duration": ("integer", None, True),
        "keywords": ("jsonb", None, True),
        "social_media_snippets": ("jsonb", None, True),
        "section_metadata": ("jsonb", None, True),
        "created_at": ("timestamp with time zone", None, False),
        "updated_at": ("timestamp with time zone", None, False),
    },
    "image": {
        "id": ("integer", None, False),
        "filename": ("character varying", 255, False),
        "original_filename": ("character varying", 255, False),
        "path": ("character varying", 500, False),
        "alt_text": ("character varying", 500, True),
        "caption": ("text", None, True),
        "image_prompt": ("text", None, True),
        "notes": ("text", None, True),
        "image_metadata": ("jsonb", None, True),
        "watermarked": ("boolean", None, True),
        "watermarked_path": ("character varying", 500, True),
        "created_at": ("timestamp with time zone", None, True),
        "updated_at": ("timestamp with time zone", None, True),
    },
    "tag": {
        "id": ("integer", None, False),
        "name": ("character varying", 50, False),
        "slug": ("character varying", 50, False),
    },
    "post_tags": {"post_id": ("integer", None, False), "tag_id": ("integer", None, False)},
    "llm_prompt": {
        "id": ("integer", None, False),
        "name": ("character varying", 100, False),
        "description": ("text", None, True),
        "prompt_template": ("text", None, False),
        "parameters": ("jsonb", None, True),
        "created_at": ("timestamp with time zone", None, True),
        "updated_at": ("timestamp with time zone", None, True),
    },
    "llm_interaction": {
        "id": ("integer", None, False),
        "prompt_id": ("integer", None, True),
        "post_id": ("integer", None, True),
        "input_text": ("text", None, False),
        "output_text": ("text", None, False),
        "model_used": ("character varying", 50, False),
        "parameters": ("jsonb", None, True),
        "tokens_used": ("integer", None, True),
        "duration": ("double precision", None, True),
        "created_at": ("timestamp with time zone", None, True),
    },
}


def columns_of(table):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name, data_type, character_maximum_length, is_nullable = 'YES' "
            "FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = %s",
            [table],
        )
        return {name: (kind, length, nullable) for name, kind, length, nullable in cursor.fetchall()}


@pytest.mark.parametrize("table", sorted(SEED_COLUMNS))
def test_seed_columns_exist_with_the_seeds_types(table):
    actual = columns_of(table)
    for column, expected in SEED_COLUMNS[table].items():
        assert actual.get(column) == expected, f"{table}.{column}"


def test_llm_log_table_exists_with_its_columns():
    columns = set(columns_of("llm_log"))
    expected = {"operation", "request_parameters", "response_data", "duration", "model", "configuration", "status"}
    expected |= {"error_class", "error_category", "message", "stack_trace", "context", "recovery_action"}
    assert expected <= columns


def test_named_indexes_of_the_seed_exist():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'post_section'")
        indexes = dict(cursor.fetchall())
    assert '(post_id, "position")' in indexes["post_section_position"]
    assert "(content_type)" in indexes["post_section_content_type"]
    assert "(created_at)" in indexes["post_section_created"]


@pytest.mark.parametrize(
    ("table", "column", "rule"),
    [
        ("post_section", "post_id", "CASCADE"),
        ("post_section", "image_id", "SET NULL"),
        ("post_tags", "post_id", "CASCADE"),
        ("llm_interaction", "post_id", "SET NULL"),
    ],
)
def test_delete_rules_are_enforced_by_the_database(table, column, rule):
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT rc.delete_rule FROM information_schema.referential_constraints rc
            JOIN information_schema.key_column_usage k ON k.constraint_name = rc.constraint_name
            WHERE k.table_name = %s AND k.column_name = %s
            """,
            [table, column],
        )
        assert cursor.fetchone() == (rule,)


def test_position_uniqueness_is_deferrable():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT condeferrable, condeferred FROM pg_constraint WHERE conname = 'post_section_post_id_position_key'"
        )
        assert cursor.fetchone() == (True, True)


def test_models_and_migrations_agree():
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()
