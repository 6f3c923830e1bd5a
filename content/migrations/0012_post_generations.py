"""One generation per post readers can see, instead of one for the whole site (``post_generation``).

Until now every write to ``post``, ``post_section``, ``post_tags``, ``tag`` or ``image`` raised one
site-wide number (migration 0003): a draft's save or an unused upload made every cached page miss,
and its single row was a lock every writing transaction queued on. Now PostgreSQL keeps one row per
post that readers see or saw (``post_generation``), and raises its ``generation`` only when
something readers see of that post changes:

- the post's own columns a page shows (title, subtitle, slug, introduction, summary, publication,
  trash, ``updated_at``), while the post is published and not in the trash or just stops being so;
- its sections' shown columns, its tags (a link added or removed, a tag renamed), an image one of
  its sections shows (``page_fields.IMAGE_RENDERED_FIELDS``).

A draft's save, a working copy, an autosave, a suggestion, an image no live post shows, LLM records
and stored HTML write no row here. "Published" counts scheduled posts too: their rows exist before
they are due, so a post going live at its time needs no write at all (``content_state()`` tells when).

Beside the number, the row copies what the page cache needs to know which pages show the post
(``content/site/page_versions.py``): its slug, its publication time and its tags' slugs. A post page
is cached under its post's number; a list (index pages, tag pages, feeds, sitemap) under the numbers
of the posts on it, its page count and the time its next scheduled post goes live.

Locks: a post's row is written only by a transaction holding that post's row in ``post`` (the
statement that wrote the post, or FOR NO KEY UPDATE taken first by one that wrote its sections or
tag links), so only writers of the same post wait for each other, and the later one reads after the
earlier one committed; a draft's save locks nothing but its own rows. Putting a tag on a published
post holds the tag FOR KEY SHARE, and a change to an image readers see holds the image FOR UPDATE, so
a rename and a link, an image and a new section showing it, are either seen by each other or ordered
by their commits. A generation comes from the clock (microseconds), and is always above the row's
previous one: never reused, even after restoring an old backup. ``changed_by`` (the writing
transaction) lets the content-state watcher read only the rows changed since its last reading. Every
write that raises a generation notifies ``content_state`` as before (delivered at commit, once per
transaction; PostgreSQL orders notifying commits with a lock held for the commit alone).
"""

from django.db import migrations

TRACKED_TABLES = ["post", "post_section", "post_tags", "tag", "image"]

# What readers see of each table: a change to any other column (workflow, version, LLM metadata, search
# vectors, keywords, notes, prompts) raises no generation. Held to the pages by content/tests/site/test_invalidation.py.
POST_COLUMNS = [
    "title",
    "subtitle",
    "slug",
    "content",
    "summary",
    "published",
    "published_at",
    "deleted_at",
    "updated_at",
]
SECTION_COLUMNS = [
    "post_id", "position", "title", "subtitle", "content", "content_type", "image_id", "video_url", "audio_url",
    "duration", "social_media_snippets",
]  # fmt: skip
IMAGE_COLUMNS = ["path", "alt_text", "caption", "image_metadata", "watermarked", "watermarked_path"]
TAG_COLUMNS = ["name", "slug"]


def changed(columns: list[str]) -> str:
    """SQL: a row of ``new_rows`` differs from its ``old_rows`` in one of ``columns``."""
    new = ", ".join(f"new_rows.{column}" for column in columns)
    old = ", ".join(f"old_rows.{column}" for column in columns)
    return f"({new}) IS DISTINCT FROM ({old})"


def _list_page(members: str) -> str:
    """PL/pgSQL of ``post_list_state`` for the posts matching ``members`` (a condition on ``g``)."""
    live = f"{members} AND (g.published_at IS NULL OR g.published_at <= statement_timestamp())"
    return f"""
            SELECT count(*) INTO total FROM post_generation AS g WHERE {live};
            SELECT min(g.published_at) INTO next_change FROM post_generation AS g
            WHERE {members} AND g.published_at > statement_timestamp();
            num_pages := CASE WHEN per_page IS NULL THEN 1 ELSE ceil(greatest(total, 1)::numeric / per_page) END;
            number := CASE WHEN requested BETWEEN 1 AND num_pages THEN requested ELSE num_pages END;
            SELECT coalesce(array_agg(page.post_id ORDER BY page.published_at DESC, page.post_id DESC), '{{}}'),
                coalesce(array_agg(page.generation ORDER BY page.published_at DESC, page.post_id DESC), '{{}}')
            INTO post_ids, generations
            FROM (
                SELECT g.post_id, g.generation, g.published_at FROM post_generation AS g WHERE {live}
                ORDER BY g.published_at DESC, g.post_id DESC
                LIMIT per_page OFFSET (number - 1) * coalesce(per_page, 0)
            ) AS page;"""


VISIBLE = "coalesce({rows}.published AND {rows}.deleted_at IS NULL, false)"

FORWARD = [
    *[f"DROP TRIGGER {table}_content_generation ON {table};" for table in TRACKED_TABLES],
    "DROP FUNCTION content_generation_bump();",
    "DROP FUNCTION content_state();",
    "DROP TABLE content_generation;",
    "DROP SEQUENCE content_generation_seq;",
    """
    CREATE TABLE post_generation (
        post_id integer PRIMARY KEY,
        slug varchar(200) NOT NULL,
        visible boolean NOT NULL,
        published_at timestamptz,
        tags text[] NOT NULL,
        generation bigint NOT NULL,
        changed_by xid8 NOT NULL
    );
    CREATE INDEX post_generation_changed_by ON post_generation (changed_by);
    CREATE INDEX post_generation_slug ON post_generation (slug) WHERE visible;
    CREATE INDEX post_generation_order ON post_generation (published_at DESC, post_id DESC)
        INCLUDE (generation) WHERE visible;
    CREATE INDEX post_generation_tags ON post_generation USING gin (tags) WHERE visible;
    """,
    # The rows of these posts as they are now; a post neither visible now nor before is left alone. Every writer
    # of a post's row holds that post's row in ``post`` (FOR NO KEY UPDATE at least) while it reads what it writes,
    # so two transactions never write a post's row from different snapshots: the later one reads after the
    # earlier one committed. ``linked_tags``: tags this statement put on the posts, held FOR KEY SHARE first (as
    # an immediate foreign key check would: Django's are deferred), so a rename either waits or is seen.
    """
    CREATE FUNCTION post_generation_refresh(post_ids integer[], lock_posts boolean, linked_tags integer[] DEFAULT NULL)
    RETURNS void LANGUAGE plpgsql AS $$
    BEGIN
        IF coalesce(cardinality(post_ids), 0) = 0 THEN
            RETURN;
        END IF;
        IF lock_posts THEN
            -- Waits for a transaction publishing, unpublishing, deleting or otherwise writing one of these posts;
            -- the statements below see what it committed.
            PERFORM 1 FROM post WHERE id = ANY (post_ids) ORDER BY id FOR NO KEY UPDATE;
        END IF;
        IF cardinality(linked_tags) > 0
            AND EXISTS (SELECT 1 FROM post WHERE id = ANY (post_ids) AND published AND deleted_at IS NULL) THEN
            PERFORM 1 FROM tag WHERE id = ANY (linked_tags) ORDER BY id FOR KEY SHARE;
        END IF;
        INSERT INTO post_generation AS target (post_id, slug, visible, published_at, tags, generation, changed_by)
        SELECT ids.id, coalesce(post.slug, old.slug), coalesce(post.published AND post.deleted_at IS NULL, false),
            post.published_at,
            ARRAY(
                SELECT tag.slug FROM post_tags JOIN tag ON tag.id = post_tags.tag_id
                WHERE post_tags.post_id = ids.id ORDER BY tag.slug
            ),
            (extract(epoch FROM clock_timestamp()) * 1000000)::bigint,
            pg_current_xact_id()
        FROM (SELECT DISTINCT unnest(post_ids) AS id) AS ids
        LEFT JOIN post ON post.id = ids.id
        LEFT JOIN post_generation AS old ON old.post_id = ids.id
        WHERE coalesce(post.published AND post.deleted_at IS NULL, false) OR coalesce(old.visible, false)
        ORDER BY ids.id
        ON CONFLICT (post_id) DO UPDATE SET slug = excluded.slug, visible = excluded.visible,
            published_at = excluded.published_at, tags = excluded.tags,
            generation = greatest(excluded.generation, target.generation + 1), changed_by = excluded.changed_by;
        IF FOUND THEN
            PERFORM pg_notify('content_state', '');
        END IF;
    END
    $$;
    """,
    f"""
    CREATE FUNCTION post_generation_follow_posts() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        -- The statement holds the rows of the posts it wrote: no other lock is needed.
        IF TG_OP = 'INSERT' THEN
            PERFORM post_generation_refresh(ARRAY(SELECT id FROM new_rows WHERE {VISIBLE.format(rows="new_rows")}), false);
        ELSIF TG_OP = 'DELETE' THEN
            PERFORM post_generation_refresh(ARRAY(SELECT id FROM old_rows WHERE {VISIBLE.format(rows="old_rows")}), false);
        ELSIF TG_OP = 'UPDATE' THEN
            PERFORM post_generation_refresh(ARRAY(
                SELECT new_rows.id FROM new_rows JOIN old_rows ON old_rows.id = new_rows.id
                WHERE ({VISIBLE.format(rows="new_rows")} OR {VISIBLE.format(rows="old_rows")})
                    AND {changed(POST_COLUMNS)}
            ), false);
        ELSE  -- TRUNCATE
            PERFORM post_generation_refresh(ARRAY(SELECT post_id FROM post_generation WHERE visible), false);
        END IF;
        RETURN NULL;
    END
    $$;
    """,
    f"""
    CREATE FUNCTION post_generation_follow_sections() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            PERFORM post_generation_refresh(ARRAY(SELECT post_id FROM new_rows), true);
        ELSIF TG_OP = 'DELETE' THEN
            PERFORM post_generation_refresh(ARRAY(SELECT post_id FROM old_rows), true);
        ELSIF TG_OP = 'UPDATE' THEN
            PERFORM post_generation_refresh(ARRAY(
                SELECT unnest(ARRAY[new_rows.post_id, old_rows.post_id])
                FROM new_rows JOIN old_rows ON old_rows.id = new_rows.id
                WHERE {changed(SECTION_COLUMNS)}
            ), true);
        ELSE  -- TRUNCATE
            PERFORM post_generation_refresh(ARRAY(SELECT post_id FROM post_generation WHERE visible), false);
        END IF;
        RETURN NULL;
    END
    $$;
    """,
    """
    CREATE FUNCTION post_generation_follow_post_tags() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            PERFORM post_generation_refresh(
                ARRAY(SELECT post_id FROM new_rows), true, ARRAY(SELECT tag_id FROM new_rows)
            );
        ELSIF TG_OP = 'DELETE' THEN
            PERFORM post_generation_refresh(ARRAY(SELECT post_id FROM old_rows), true);
        ELSIF TG_OP = 'UPDATE' THEN
            PERFORM post_generation_refresh(
                ARRAY(SELECT post_id FROM new_rows UNION SELECT post_id FROM old_rows), true,
                ARRAY(SELECT tag_id FROM new_rows)
            );
        ELSE  -- TRUNCATE
            PERFORM post_generation_refresh(ARRAY(SELECT post_id FROM post_generation WHERE visible), false);
        END IF;
        RETURN NULL;
    END
    $$;
    """,
    # A tag's new name or slug: the statement already holds its row FOR UPDATE (both columns are unique), so a
    # transaction putting it on a published post (FOR KEY SHARE, post_tags' trigger) has committed or waits for
    # this one. A new tag is on no post; a deleted one takes its links with it (post_tags' trigger).
    f"""
    CREATE FUNCTION post_generation_follow_tags() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'UPDATE' THEN
            PERFORM post_generation_refresh(ARRAY(
                SELECT post_tags.post_id FROM post_tags WHERE post_tags.tag_id IN (
                    SELECT new_rows.id FROM new_rows JOIN old_rows ON old_rows.id = new_rows.id
                    WHERE {changed(TAG_COLUMNS)}
                )
            ), true);
        ELSIF TG_OP = 'TRUNCATE' THEN
            PERFORM post_generation_refresh(ARRAY(SELECT post_id FROM post_generation WHERE visible), false);
        END IF;
        RETURN NULL;
    END
    $$;
    """,
    # An image readers see changed. Locked FOR UPDATE first: a transaction that put it in a section which this
    # statement cannot see yet then commits after this one (its deferred foreign key check takes FOR KEY SHARE
    # at commit), and that commit raises the post's generation. An image no published post shows changes no
    # row. A deleted image sets its sections' image_id to NULL: their trigger.
    f"""
    CREATE FUNCTION post_generation_follow_images() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        changed_ids integer[];
    BEGIN
        IF TG_OP = 'UPDATE' THEN
            changed_ids := ARRAY(
                SELECT new_rows.id FROM new_rows JOIN old_rows ON old_rows.id = new_rows.id WHERE {changed(IMAGE_COLUMNS)}
            );
            IF cardinality(changed_ids) > 0 THEN
                PERFORM 1 FROM image WHERE id = ANY (changed_ids) ORDER BY id FOR UPDATE;
                PERFORM post_generation_refresh(
                    ARRAY(SELECT post_id FROM post_section WHERE image_id = ANY (changed_ids)), true
                );
            END IF;
        ELSIF TG_OP = 'TRUNCATE' THEN
            PERFORM post_generation_refresh(ARRAY(SELECT post_id FROM post_generation WHERE visible), false);
        END IF;
        RETURN NULL;
    END
    $$;
    """,
    *[
        f"CREATE TRIGGER post_generation_{operation.lower()} AFTER {operation} ON {table} {referencing} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION post_generation_follow_{follow}();"
        for table, follow, operations in (
            ("post", "posts", ("INSERT", "UPDATE", "DELETE")),
            ("post_section", "sections", ("INSERT", "UPDATE", "DELETE")),
            ("post_tags", "post_tags", ("INSERT", "UPDATE", "DELETE")),
            ("tag", "tags", ("UPDATE",)),
            ("image", "images", ("UPDATE",)),
        )
        for operation in operations
        for referencing in [
            {
                "INSERT": "REFERENCING NEW TABLE AS new_rows",
                "DELETE": "REFERENCING OLD TABLE AS old_rows",
                "UPDATE": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
            }[operation]
        ]
    ],
    *[
        f"CREATE TRIGGER post_generation_truncate AFTER TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION post_generation_follow_{follow}();"
        for table, follow in (
            ("post", "posts"),
            ("post_section", "sections"),
            ("post_tags", "post_tags"),
            ("tag", "tags"),
            ("image", "images"),
        )
    ],
    f"SELECT post_generation_refresh(ARRAY(SELECT id FROM post WHERE {VISIBLE.format(rows='post')}), false);",
    # What the content-state watcher reads with the rows (content/site/content_state.py), in the same statement:
    # its snapshot (the next reading asks for rows changed by transactions it did not see), the time (which posts
    # are live), the next scheduled post, and the table's identity (a restore by psql replaces the table).
    """
    CREATE FUNCTION content_state(
        OUT snapshot pg_snapshot, OUT read_at timestamptz, OUT next_change timestamptz, OUT relation text
    ) LANGUAGE plpgsql STABLE AS $$
    BEGIN
        snapshot := pg_current_snapshot();
        read_at := statement_timestamp();
        SELECT min(published_at) INTO next_change FROM post_generation WHERE visible AND published_at > read_at;
        relation := 'post_generation'::regclass::oid || '/' || pg_relation_filenode('post_generation');
    END
    $$;
    """,
    # The rows of visible posts (since NULL), or the rows written by transactions ``since`` did not see, up to
    # ``upto``'s (a transaction id at or past it belongs to another server's past: a restored backup).
    """
    CREATE FUNCTION post_generations(since pg_snapshot, upto pg_snapshot) RETURNS TABLE (
        post_id integer, slug text, visible boolean, published_at timestamptz, tags text[], generation bigint
    ) LANGUAGE plpgsql STABLE AS $$
    BEGIN
        IF since IS NULL THEN
            RETURN QUERY SELECT g.post_id, g.slug::text, g.visible, g.published_at, g.tags, g.generation
                FROM post_generation AS g WHERE g.visible;
        ELSE
            RETURN QUERY SELECT g.post_id, g.slug::text, g.visible, g.published_at, g.tags, g.generation
                FROM post_generation AS g
                WHERE g.changed_by >= pg_snapshot_xmin(since) AND g.changed_by < pg_snapshot_xmax(upto)
                    AND NOT pg_visible_in_snapshot(g.changed_by, since);
        END IF;
    END
    $$;
    """,
    # Without the watcher, a request reads the version of its page: a post page's post...
    """
    CREATE FUNCTION post_page_state(page_slug text, OUT post_id integer, OUT generation bigint)
    LANGUAGE plpgsql STABLE AS $$
    BEGIN
        SELECT g.post_id, g.generation INTO post_id, generation FROM post_generation AS g
        WHERE g.slug = page_slug AND g.visible ORDER BY g.generation DESC LIMIT 1;
    END
    $$;
    """,
    # ... or a list's page (all live posts, or those with a tag): how many there are, when the next of them is
    # due, which page ``requested`` is (0: below 1, the last page, as Django's Paginator.get_page), and its posts
    # with their generations; ``per_page`` NULL: all of them. Live is PostQuerySet.live(), on the copies here.
    f"""
    CREATE FUNCTION post_list_state(
        tag_slug text, requested bigint, per_page integer,
        OUT total bigint, OUT next_change timestamptz, OUT number bigint, OUT num_pages bigint,
        OUT post_ids integer[], OUT generations bigint[]
    ) LANGUAGE plpgsql STABLE AS $$
    BEGIN
        -- Two branches: one plan each, on the list's index or on the tags' (a plan for both would use neither).
        IF tag_slug IS NULL THEN
            {_list_page("g.visible")}
        ELSE
            {_list_page("g.visible AND g.tags @> ARRAY[tag_slug]")}
        END IF;
    END
    $$;
    """,
]

# Migrations 0003, 0007 and 0009 as they were.
BACKWARD = [
    "DROP FUNCTION IF EXISTS post_list_state(text, bigint, integer);",
    "DROP FUNCTION IF EXISTS post_page_state(text);",
    "DROP FUNCTION IF EXISTS post_generations(pg_snapshot, pg_snapshot);",
    "DROP FUNCTION IF EXISTS content_state();",
    *[
        f"DROP TRIGGER IF EXISTS post_generation_{op} ON {table};"
        for table in TRACKED_TABLES
        for op in ("insert", "update", "delete", "truncate")
    ],
    *[
        f"DROP FUNCTION IF EXISTS post_generation_follow_{follow}();"
        for follow in ("posts", "sections", "post_tags", "tags", "images")
    ],
    "DROP FUNCTION IF EXISTS post_generation_refresh(integer[], boolean, integer[]);",
    "DROP TABLE IF EXISTS post_generation;",
    """
    CREATE SEQUENCE content_generation_seq;
    SELECT setval('content_generation_seq', (extract(epoch FROM clock_timestamp()) * 1000000)::bigint);
    CREATE TABLE content_generation (id smallint PRIMARY KEY CHECK (id = 1), value bigint NOT NULL);
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
        PERFORM pg_notify('content_state', '');
        RETURN NULL;
    END
    $$;
    """,
    *[
        f"CREATE TRIGGER {table}_content_generation AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION content_generation_bump();"
        for table in TRACKED_TABLES
    ],
    """
    CREATE FUNCTION content_state(OUT generation bigint, OUT next_change timestamptz)
    LANGUAGE plpgsql STABLE AS $$
    BEGIN
        SELECT value INTO generation FROM content_generation WHERE id = 1;
        SELECT min(published_at) INTO next_change FROM post
        WHERE published AND deleted_at IS NULL AND published_at > statement_timestamp();
    END
    $$;
    """,
]


class Migration(migrations.Migration):
    dependencies = [("content", "0011_working_copies_suggestions_autosaves")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
