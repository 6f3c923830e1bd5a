"""A post's sections on its change form: the fields each type needs, the chosen image, the order tools.

Which fields a type shows is told to ``static/editorial/sections.js`` (``section_fields``); the script
only folds rows away and moves forms, so without it every field shows and the form posts the same.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.admin.helpers import InlineAdminFormSet
from django.db import models
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.text import Truncator

from common.forms import ReadableJSONField
from content.editorial.forms import MAX_SECTIONS, RENDERER, SectionInlineForm, SectionInlineFormSet
from content.models import PostSection
from content.models.posts import ALLOWED_MEDIA, MEDIA_FIELDS, REQUIRED_FIELD, SectionType
from media_library.chooser import ImageChooserWidget, chosen_context
from media_library.models import Image

JSON_AS_READABLE = {models.JSONField: {"form_class": ReadableJSONField}}


def section_fields() -> dict:
    """For sections.js: per type, its label and the type-bound fields it shows; which fields are media."""
    types = {}
    for kind in SectionType:
        shows = {REQUIRED_FIELD[kind], *ALLOWED_MEDIA[kind]}
        if "image" in shows:
            shows.add("image_details")
        types[kind.value] = {"label": kind.with_article, "shows": sorted(shows), "media": sorted(ALLOWED_MEDIA[kind])}
    bound = sorted({name for kind in types.values() for name in kind["shows"]})
    return {"types": types, "bound": bound, "media": list(MEDIA_FIELDS)}


class SectionImageWidget(ImageChooserWidget):
    """The image chooser's widget, with the labels of the post's images read in one query, not one per section."""

    def __init__(self, rel, admin_site, images: dict[str, Image], **kwargs):
        super().__init__(rel, admin_site, **kwargs)
        self.images = images  # shared by the copies each inline form makes

    def label_and_url_for_value(self, value):
        image = self.images.get(str(value))
        if image is None:
            return super().label_and_url_for_value(value)
        return Truncator(image).words(14), reverse("admin:media_library_image_change", args=[image.pk])


class SectionImageField(forms.ModelChoiceField):
    """The section's image field. Each of the page's section forms copies it, and Django's ModelChoiceField clones
    its queryset twice in each copy (about 0.1 ms, 51 times a page) so that no copy shares another's cached rows.
    Its raw-id widget never lists the choices and a value is checked with ``queryset.get()``, which reads anew:
    nothing is ever cached on the queryset, so the copies share it."""

    def __deepcopy__(self, memo):
        result = super(forms.ChoiceField, self).__deepcopy__(memo)  # Field's copy, as ModelChoiceField's own
        result._queryset = self._queryset
        result.widget.choices = result.choices  # the copy's own iterator, bound to the copy
        return result


class PostSectionInline(admin.StackedInline):
    model = PostSection
    verbose_name = "Section"
    verbose_name_plural = "Sections"
    form = SectionInlineForm
    formset = SectionInlineFormSet
    formfield_overrides = JSON_AS_READABLE
    template = "admin/content/post/sections_inline.html"  # stacked.html's markup, rendered in Python
    extra = 0
    ordering = ["position"]
    raw_id_fields = ["image"]
    readonly_fields = ["image_details"]
    # One field a row, so that a row can be folded away by type (sections.js).
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "position",
                    "content_type",
                    ("title", "subtitle"),
                    "content",
                    "image",
                    "image_details",
                    "video_url",
                    "audio_url",
                    "duration",
                ]
            },
        ),
        (
            "Advanced",
            {
                "classes": ["collapse"],
                "fields": ["keywords", "social_media_snippets", "section_metadata"],
                "description": "JSON the LLM features fill in; edit it by hand only when you know its shape.",
            },
        ),
    ]

    max_num = MAX_SECTIONS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.images: dict[str, Image] = {}  # this request's: the admin makes inline instances per request

    def get_extra(self, request, obj=None, **kwargs):
        """A working copy's sections that are not live yet have no rows: they come as extra forms."""
        return len(_not_live_sections(obj))

    def get_formset(self, request, obj=None, **kwargs):
        # Beyond max_num, Django would still build every form the request claims (up to 1,000 more).
        return super().get_formset(
            request, obj, absolute_max=MAX_SECTIONS, validate_max=True, renderer=RENDERER, **kwargs
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "image":
            object_id = request.resolver_match.kwargs.get("object_id") if request.resolver_match else None
            post_id = int(object_id) if object_id and str(object_id).isdigit() else None
            images = Image.objects.filter(sections__post_id=post_id).distinct() if post_id else []
            self.images = {str(image.pk): image for image in images}
            chooser = self.admin_site.get_model_admin(Image).has_view_permission(request)
            kwargs["widget"] = SectionImageWidget(db_field.remote_field, self.admin_site, self.images, chooser=chooser)
            kwargs["form_class"] = SectionImageField
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="Chosen image")
    def image_details(self, section: PostSection) -> str:
        if not section.image_id:
            return "No image chosen yet: choose one above (or type its number and save)."
        image = self.images.get(str(section.image_id)) or Image.objects.filter(pk=section.image_id).first()
        if image is None:
            return "The chosen image no longer exists."
        return render_to_string("admin/media_library/image/chosen.html", chosen_context(image))


class SectionsAdminFormSet(InlineAdminFormSet):
    """The sections' inline on the change page, whose media is found without building every form's again."""

    @property
    def media(self):
        """What ``InlineAdminFormSet.media`` gives, without its loop over the 51 forms (about 6 ms a page): it adds
        each form's media (its widgets') and its fieldsets' (none) to the formset's, which is the first form's
        (``BaseFormSet.media``: every form of a formset has the same fields), and adding media already there adds
        nothing (``Media.__add__``). test_sections_inline_media holds them equal."""
        return self.opts.media + self.formset.media


def with_sections_media(inline_admin_formsets: list) -> list:
    """The change page's inline formsets, the sections' as a ``SectionsAdminFormSet`` (``PostAdmin``)."""
    for inline_admin_formset in inline_admin_formsets:
        sections = isinstance(inline_admin_formset.opts, PostSectionInline)
        if sections and type(inline_admin_formset) is InlineAdminFormSet:
            inline_admin_formset.__class__ = SectionsAdminFormSet  # the same object, only its media property differs
    return inline_admin_formsets


def _not_live_sections(post) -> list[PostSection]:
    draft = getattr(post, "draft", None)
    if draft is None or draft.working_copy is None:
        return []
    return [section for section in draft.sections if section.pk is None]
