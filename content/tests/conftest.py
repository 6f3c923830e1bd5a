from content.tests.editorial.workflow_helpers import editor, editor_client, publisher, publisher_client  # noqa: F401
