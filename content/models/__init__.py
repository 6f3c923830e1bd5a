"""The content app's models, by concern; imported from here as ``content.models``."""

from content.models.derived import IntroHtml, PostSearchDocument, SectionHtml, StoredHtml
from content.models.editorial import (
    Autosave,
    SlugRedirect,
    Suggestion,
    TransitionQuerySet,
    WorkflowTransition,
    WorkingCopy,
)
from content.models.posts import (
    ALLOWED_MEDIA,
    MEDIA_FIELDS,
    REQUIRED_FIELD,
    Post,
    PostQuerySet,
    PostSection,
    SectionType,
    Tag,
    TaggedPost,
)

__all__ = [
    "ALLOWED_MEDIA",
    "MEDIA_FIELDS",
    "REQUIRED_FIELD",
    "Autosave",
    "IntroHtml",
    "Post",
    "PostQuerySet",
    "PostSearchDocument",
    "PostSection",
    "SectionHtml",
    "SectionType",
    "SlugRedirect",
    "StoredHtml",
    "Suggestion",
    "Tag",
    "TaggedPost",
    "TransitionQuerySet",
    "WorkflowTransition",
    "WorkingCopy",
]
