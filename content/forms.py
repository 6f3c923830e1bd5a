from django import forms
from django.forms.models import BaseInlineFormSet

from content.models import PostSection


class SectionInlineForm(forms.ModelForm):
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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["position"].required = False
        self.fields["position"].help_text = (
            "Leave empty to add at the end. Give a new or moved section the position of another "
            "to place it just before that one; sections are then renumbered 1, 2, 3…"
        )

    def _get_validation_exclusions(self):
        # Positions are checked across the whole formset (SectionInlineFormSet.clean) and
        # renumbered after saving; the per-row unique check would refuse every insert or swap.
        return super()._get_validation_exclusions() | {"position"}


class SectionInlineFormSet(BaseInlineFormSet):
    """Validates positions across all sections and remembers which ones the editor placed."""

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
