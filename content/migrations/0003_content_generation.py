"""A content generation number that PostgreSQL raises on every change readers could see.

Public pages are cached under keys that include this number (see content/page_cache.py).
Triggers on every table a public page reads from raise it in the writing transaction, so
the new number becomes visible together with the new data, whatever wrote it (admin,
services, bulk updates, database cascades, raw SQL). The value comes from a sequence, so a
rolled-back transaction never makes an old number come back, and it is never below the
clock in microseconds, so after restoring an older backup the next write still moves to a
number never used before.
"""

from django.db import migrations

TABLES = ["post", "post_section", "post_tags", "tag", "image"]

FORWARD = [
    """
    CREATE SEQUENCE content_generation_seq;
    SELECT setval('content_generation_seq', (extract(epoch FROM clock_timestamp()) * 1000000)::bigint);
    CREATE TABLE content_generation (
        id smallint PRIMARY KEY CHECK (id = 1),
        value bigint NOT NULL
    );
    INSERT INTO content_generation VALUES (1, nextval('content_generation_seq'));
    """,
    """
    CREATE FUNCTION content_generation_bump() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE content_generation
        SET value = setval(
            'content_generation_seq',
            greatest(nextval('content_generation_seq'), (extract(epoch FROM clock_timestamp()) * 1000000)::bigint)
        )
        WHERE id = 1;
        RETURN NULL;
    END
    $$;
    """,
    *[
        f"CREATE TRIGGER {table}_content_generation AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION content_generation_bump();"
        for table in TABLES
    ],
]

BACKWARD = [
    *[f"DROP TRIGGER IF EXISTS {table}_content_generation ON {table};" for table in TABLES],
    "DROP FUNCTION IF EXISTS content_generation_bump();",
    "DROP TABLE IF EXISTS content_generation;",
    "DROP SEQUENCE IF EXISTS content_generation_seq;",
]


class Migration(migrations.Migration):
    dependencies = [
        ("content", "0002_search_vectors"),
        ("media_library", "0001_initial"),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
