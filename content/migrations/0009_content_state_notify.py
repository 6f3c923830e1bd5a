"""Every raise of the content generation also notifies the channel ``content_state``.

Web processes LISTEN on it (content/content_state.py) and so know the content state without
asking on every request. PostgreSQL delivers a notification only after the writing transaction
commits, never before its data is visible, and folds the identical notifications of one
transaction into one. The function is migration 0003's, plus the ``pg_notify``.
"""

from django.db import migrations

BUMP = """
CREATE OR REPLACE FUNCTION content_generation_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE content_generation
    SET value = setval(
        'content_generation_seq',
        greatest(nextval('content_generation_seq'), (extract(epoch FROM clock_timestamp()) * 1000000)::bigint)
    )
    WHERE id = 1;{notify}
    RETURN NULL;
END
$$;
"""

FORWARD = BUMP.format(notify="\n    PERFORM pg_notify('content_state', '');")
BACKWARD = BUMP.format(notify="")


class Migration(migrations.Migration):
    dependencies = [("content", "0008_section_html")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
