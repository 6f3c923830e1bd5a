from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.forms.models import BaseInlineFormSet
from django.urls import reverse

from common.forms import FastFormRenderer, MinutesSecondsField, refuse_control_characters
from content.models import Post, PostSection, Tag

MAX_SECTIONS = 200  # a bound on one request's work; the settings' field limit leaves room for it
LARGEST_INTEGER = 2**31 - 1  # PostgreSQL's integer
TAG_MAX_LENGTH = Tag._meta.get_field("name").max_length
# The post's change page renders up to MAX_SECTIONS section forms of about 15 fields each.
RENDERER = FastFormRenderer()


_DELETION = forms.BooleanField(required=False)


def marked_for_deletion(data, prefix: str) -> bool:
    """Whether the section form ``prefix`` (``sections-3``) has its Delete box ticked in ``data``, by the rule
    the save reads it with (Django's checkbox: any value but none or "false", "0" included); the
    previews and the checklist leave out what the save would delete."""
    name = f"{prefix}-DELETE"
    return _DELETION.clean(forms.CheckboxInput().value_from_datadict(data, {}, name))


# Validators hold no state: one pair serves every form (a change page builds about 50).
INTEGER_BOUNDS = [MaxValueValidator(LARGEST_INTEGER), MinValueValidator(-LARGEST_INTEGER)]


class GuardedFieldsMixin:
    """Every text field refuses control characters, every whole number stays within PostgreSQL's integer."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.CharField):
                field.validators.append(refuse_control_characters)
            elif isinstance(field, forms.IntegerField):
                field.validators += INTEGER_BOUNDS


class SectionInlineForm(GuardedFieldsMixin, forms.ModelForm):
    class Meta:
        model = PostSection
        fields = [
            "position",
            "content_type",
            "title",
            "subtitle",
            "content",
            "image",
            "video_url",
            "audio_url",
            "duration",
            "keywords",
            "social_media_snippets",
            "section_metadata",
        ]
        field_classes = {"duration": MinutesSecondsField}
        labels = {"content": "Text (Markdown)", "video_url": "Video URL", "audio_url": "Audio URL"}
        help_texts = {
            "content": "Markdown. Required for text sections; under a picture, video or sound it is shown below it.",
            "duration": "How long the video or audio plays: minutes and seconds, like 3:25 (or 1:02:03).",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["position"].required = False
        self.fields["position"].help_text = (
            "Leave empty to add at the end. Give a new or moved section the position of another "
            "to place it just before that one; sections are then renumbered 1, 2, 3…"
        )

    def has_changed(self):
        # A working copy's section that is not live yet comes back as an extra form: always keep it.
        return super().has_changed() or bool(self.initial.get("from_working_copy"))

    def _get_validation_exclusions(self):
        # Positions are checked across the whole formset (SectionInlineFormSet.clean) and
        # renumbered after saving; the per-row unique check would refuse every insert or swap.
        return super()._get_validation_exclusions() | {"position"}


def section_initial(section: PostSection) -> dict:
    return {name: getattr(section, "image_id" if name == "image" else name) for name in SectionInlineForm.Meta.fields}


class SectionInlineFormSet(BaseInlineFormSet):
    """Validates positions across all sections and remembers which ones the editor placed."""

    default_error_messages = {
        "too_many_forms": "A post can have at most %(num)d sections.",
        "too_few_forms": "Please submit at least %(num)d sections.",
    }

    def __init__(self, *args, working_sections: list[PostSection] | None = None, **kwargs):
        """``working_sections``: a working copy's sections, shown instead of the live rows (those not
        live yet as extra forms)."""
        self.working_sections = working_sections
        if working_sections is not None:
            kwargs["initial"] = [
                {**section_initial(section), "from_working_copy": True}
                for section in working_sections
                if section.pk is None
            ]
        super().__init__(*args, **kwargs)

    def get_queryset(self):
        if self.working_sections is None:
            return super().get_queryset()
        return [section for section in self.working_sections if section.pk is not None]

    def clean(self):
        super().clean()
        self.placed_forms = []
        if any(self.errors):
            return
        kept = [form for form in self.forms if form.cleaned_data and not self._should_delete_form(form)]
        next_position = max((form.cleaned_data.get("position") or 0 for form in kept), default=0) + 1
        placed_at = {}
        for form in kept:
            position = form.cleaned_data.get("position")
            if position is None:
                position = next_position
                next_position += 1
            elif position < 1:
                form.add_error("position", "Positions start at 1.")
                continue
            form.instance.position = form.cleaned_data["position"] = position
            if form.instance.pk is None or "position" in form.changed_data:
                if position in placed_at:
                    form.add_error(
                        "position",
                        f"Two new or moved sections were both given position {position}; give each its own.",
                    )
                    continue
                placed_at[position] = form
                self.placed_forms.append(form)


class PostAdminForm(GuardedFieldsMixin, forms.ModelForm):
    """The post form; refuses a save based on an older version of the post (optimistic locking)."""

    default_renderer = RENDERER

    class Meta:
        model = Post
        fields = ["title", "subtitle", "slug", "summary", "content", "tags", "version", "author", "llm_metadata"]
        widgets = {"version": forms.HiddenInput}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        draft = getattr(self.instance, "draft", None)
        if draft is not None and draft.working_copy is not None:
            self.initial["tags"] = [Tag(name=name) for name in draft.tags]
        if "tags" in self.fields:
            self.fields["tags"].help_text = (
                f"Separate tags with commas, like “travel, night photography”. A tag can have at most "
                f"{TAG_MAX_LENGTH} characters. Existing tags are suggested as you type."
            )
            self.fields["tags"].widget.attrs.update(
                {
                    "autocomplete": "off",
                    "data-suggest-url": reverse("admin:content_post_tags"),
                    "data-max-length": str(TAG_MAX_LENGTH),
                }
            )

    def clean_tags(self):
        tags = self.cleaned_data.get("tags") or []
        too_long = [tag for tag in tags if len(tag) > TAG_MAX_LENGTH]
        if too_long:
            raise forms.ValidationError(
                "A tag can have at most %(limit)d characters; shorten “%(tag)s” (%(length)d).",
                code="tag_too_long",
                params={"limit": TAG_MAX_LENGTH, "tag": too_long[0], "length": len(too_long[0])},
            )
        for tag in tags:
            refuse_control_characters(tag)
        return tags

    def clean(self):
        cleaned = super().clean()
        submitted = cleaned.get("version")
        # On a change, self.instance was read (and row-locked) in this request: it is the current version.
        if self.instance.pk is not None and submitted is not None and submitted != self.instance.version:
            raise forms.ValidationError(stale_version_message(self.instance, submitted), code="stale")
        return cleaned


def stale_version_message(post: Post, submitted: int):
    from django.utils.html import format_html

    from content.editorial.revisions import latest_revision

    revision = latest_revision(post)
    by = (
        f" by {revision.user.get_username() if revision.user else 'someone'} at {revision.date_created:%Y-%m-%d %H:%M}"
        if revision
        else ""
    )
    return format_html(
        "Someone else saved this post while you were editing it (version {} was saved{}; you started from version {}). "
        'Your changes were not saved. <a href="{}" target="_blank">Open the newer version</a> in a new tab, '
        'or <a href="{}" target="_blank">see what changed</a>, then bring your edits over.',
        post.version,
        by,
        submitted,
        reverse("admin:content_post_change", args=[post.pk]),
        reverse("admin:content_post_revisions", args=[post.pk]),
    )
