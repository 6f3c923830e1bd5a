"""One search document per post (``post_search``), kept by PostgreSQL triggers.

Search used to find posts through 226,000 section documents: a broad word read thousands of
section rows and grouped them per post. Now each post has one document - its own
``search_vector`` followed by its sections' ``search_vector`` in position order - so finding
the posts that match is one GIN lookup over one row per post (content/search.py). The query
itself is the function ``search_post_page()`` below.

The post's visibility columns (``published``, ``published_at``, ``deleted_at``) are copied beside
its document, so the search query filters and orders without joining ``post`` (about half of its
time for a word in a sixth of the posts).

Statement triggers with transition tables rebuild, in the writing statement, the documents of the
posts whose words it changed (sections inserted, deleted, edited or moved; a post's own fields
edited) and copy changed visibility columns: whatever writes (admin, services, ``bulk_create``,
COPY, raw SQL, cascades), the documents never lag behind. Before rebuilding, the trigger locks the
posts' document rows, so two transactions editing sections of one post cannot leave a document
built from a snapshot that missed the other's change. A document covers the post's text up to
``TEXT_BUDGET`` bytes (own fields first, then sections in order; about 30,000 words of prose):
a tsvector's data is limited to 1 MB, and even for text made to be costly (hyphenated or URL-like
words) it stays under four times the text it comes from, so the concatenation cannot fail.

The GIN index on ``post_section.search_vector`` goes: nothing searches sections across posts any
more (a post's first matching section, for the snippet, is found among its own sections), and
writing sections without it is what pays for the documents (``seed_bench`` got faster).
"""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models

# Bytes of text (own fields and sections) a post's document covers; see the module docstring.
TEXT_BUDGET = 200_000

FORWARD = [
    # ``||`` pairwise, in order: a fold would copy the growing document once per section (n² for n sections).
    """
    CREATE FUNCTION tsvector_merge(parts tsvector[]) RETURNS tsvector LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
    DECLARE
        n integer := coalesce(cardinality(parts), 0);
    BEGIN
        IF n = 0 THEN
            RETURN '';
        END IF;
        WHILE n > 1 LOOP
            FOR i IN 1 .. n / 2 LOOP
                parts[i] := parts[2 * i - 1] || parts[2 * i];
            END LOOP;
            IF n % 2 = 1 THEN
                parts[n / 2 + 1] := parts[n];
            END IF;
            n := (n + 1) / 2;
        END LOOP;
        RETURN parts[1];
    END
    $$;
    """,
    f"""
    CREATE FUNCTION post_search_refresh(post_ids integer[]) RETURNS void LANGUAGE plpgsql AS $$
    BEGIN
        IF cardinality(post_ids) = 0 THEN
            RETURN;
        END IF;
        -- Wait for other writers of these documents; the next statement then reads what they committed.
        PERFORM 1 FROM post_search WHERE post_id = ANY (post_ids) ORDER BY post_id FOR UPDATE;
        INSERT INTO post_search AS target (post_id, document, published, published_at, deleted_at)
        SELECT post.id, post.search_vector || coalesce(sections.document, ''),
            post.published, post.published_at, post.deleted_at
        FROM post
        CROSS JOIN LATERAL (
            SELECT octet_length(post.title) + coalesce(octet_length(post.subtitle), 0)
                + coalesce(octet_length(post.summary), 0) + octet_length(post.content) AS own_bytes
        ) AS own
        LEFT JOIN LATERAL (
            SELECT tsvector_merge(array_agg(search_vector ORDER BY position)) AS document
            FROM (
                SELECT search_vector, position,
                    sum(coalesce(octet_length(title), 0) + coalesce(octet_length(subtitle), 0)
                        + octet_length(content)) OVER (ORDER BY position) AS bytes
                FROM post_section WHERE post_section.post_id = post.id
            ) AS section
            WHERE own.own_bytes + section.bytes <= {TEXT_BUDGET}
        ) AS sections ON true
        WHERE post.id = ANY (post_ids)
        ON CONFLICT (post_id) DO UPDATE SET document = excluded.document, published = excluded.published,
            published_at = excluded.published_at, deleted_at = excluded.deleted_at;
    END
    $$;
    """,
    """
    CREATE FUNCTION post_search_follow_posts() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            PERFORM post_search_refresh(ARRAY(SELECT id FROM new_rows));
        ELSE
            PERFORM post_search_refresh(ARRAY(
                SELECT new_rows.id FROM new_rows JOIN old_rows ON old_rows.id = new_rows.id
                WHERE new_rows.search_vector IS DISTINCT FROM old_rows.search_vector
            ));
            -- Published, scheduled, trashed: only the copies of the visibility columns change.
            UPDATE post_search SET published = new_rows.published, published_at = new_rows.published_at,
                deleted_at = new_rows.deleted_at
            FROM new_rows
            WHERE post_search.post_id = new_rows.id
                AND (post_search.published, post_search.published_at, post_search.deleted_at)
                    IS DISTINCT FROM (new_rows.published, new_rows.published_at, new_rows.deleted_at);
        END IF;
        RETURN NULL;
    END
    $$;
    """,
    """
    CREATE FUNCTION post_search_follow_sections() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            PERFORM post_search_refresh(ARRAY(SELECT DISTINCT post_id FROM new_rows));
        ELSIF TG_OP = 'DELETE' THEN
            PERFORM post_search_refresh(ARRAY(SELECT DISTINCT post_id FROM old_rows));
        ELSIF TG_OP = 'UPDATE' THEN
            PERFORM post_search_refresh(ARRAY(
                SELECT unnest(ARRAY[new_rows.post_id, old_rows.post_id])
                FROM new_rows JOIN old_rows ON old_rows.id = new_rows.id
                WHERE new_rows.search_vector IS DISTINCT FROM old_rows.search_vector
                    OR new_rows.post_id <> old_rows.post_id
            ));
        ELSE  -- TRUNCATE
            PERFORM post_search_refresh(ARRAY(SELECT post_id FROM post_search));
        END IF;
        RETURN NULL;
    END
    $$;
    """,
    "CREATE TRIGGER post_search_insert AFTER INSERT ON post REFERENCING NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION post_search_follow_posts();",
    "CREATE TRIGGER post_search_update AFTER UPDATE ON post REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION post_search_follow_posts();",
    "CREATE TRIGGER post_search_insert AFTER INSERT ON post_section REFERENCING NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION post_search_follow_sections();",
    "CREATE TRIGGER post_search_update AFTER UPDATE ON post_section "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION post_search_follow_sections();",
    "CREATE TRIGGER post_search_delete AFTER DELETE ON post_section REFERENCING OLD TABLE AS old_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION post_search_follow_sections();",
    "CREATE TRIGGER post_search_truncate AFTER TRUNCATE ON post_section "
    "FOR EACH STATEMENT EXECUTE FUNCTION post_search_follow_sections();",
    "SELECT post_search_refresh(ARRAY(SELECT id FROM post));",
    # One page of the live posts matching a query, best first, with the number of matches (a window count).
    # Posts whose own fields match come first, by ts_rank of their own vector; then posts that match through
    # their sections, newest first: ranking reads only the own vectors of the posts whose own fields match.
    # The visibility condition is PostQuerySet.live()'s, on the copies kept beside the documents.
    # enable_seqscan is off because the planner cannot see that testing a document outside its index means
    # reading it from TOAST (some 17 kB each): for a word in half the posts, it may otherwise scan the whole
    # table, 30 times slower than the GIN index (measured: 290 ms instead of 10 ms).
    """
    CREATE FUNCTION search_post_page(query tsquery, page_size integer, page_offset integer)
    RETURNS TABLE (post_id integer, matches bigint) LANGUAGE sql STABLE SET enable_seqscan = off AS $$
        WITH own AS MATERIALIZED (
            SELECT id, ts_rank(search_vector, query) AS rank FROM post WHERE search_vector @@ query
        )
        SELECT hit.post_id, count(*) OVER ()
        FROM post_search AS hit LEFT JOIN own ON own.id = hit.post_id
        WHERE hit.document @@ query AND hit.deleted_at IS NULL AND hit.published
            AND (hit.published_at IS NULL OR hit.published_at <= statement_timestamp())
        ORDER BY own.rank DESC NULLS LAST, hit.published_at DESC, hit.post_id DESC
        LIMIT page_size OFFSET page_offset
    $$;
    """,
]

BACKWARD = [
    *[
        f"DROP TRIGGER IF EXISTS {name} ON {table};"
        for table, names in (
            ("post", ("post_search_insert", "post_search_update")),
            (
                "post_section",
                ("post_search_insert", "post_search_update", "post_search_delete", "post_search_truncate"),
            ),
        )
        for name in names
    ],
    "DROP FUNCTION IF EXISTS search_post_page(tsquery, integer, integer);",
    "DROP FUNCTION IF EXISTS post_search_follow_sections();",
    "DROP FUNCTION IF EXISTS post_search_follow_posts();",
    "DROP FUNCTION IF EXISTS post_search_refresh(integer[]);",
    "DROP FUNCTION IF EXISTS tsvector_merge(tsvector[]);",
]


class Migration(migrations.Migration):
    dependencies = [("content", "0009_content_state_notify")]

    operations = [
        migrations.RemoveIndex(model_name="postsection", name="post_section_search_vector"),
        migrations.CreateModel(
            name="PostSearchDocument",
            fields=[
                (
                    "post",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.DB_CASCADE,
                        primary_key=True,
                        related_name="search_document",
                        serialize=False,
                        to="content.post",
                    ),
                ),
                ("document", django.contrib.postgres.search.SearchVectorField()),
                ("published", models.BooleanField(null=True)),
                ("published_at", models.DateTimeField(null=True)),
                ("deleted_at", models.DateTimeField(null=True)),
            ],
            options={"db_table": "post_search"},
        ),
        migrations.RunSQL(FORWARD, BACKWARD),
        # After the documents are written: one index build is faster than growing the index row by row.
        migrations.AddIndex(
            model_name="postsearchdocument",
            index=django.contrib.postgres.indexes.GinIndex(fields=["document"], name="post_search_document"),
        ),
    ]
