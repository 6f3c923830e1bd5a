from django import forms

from common.forms import refuse_control_characters
from media_library.models import Image


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    """One or many files; each is checked by the media library's validation, not by the form."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif,image/avif"})
        )
        super().__init__(allow_empty_file=True, **kwargs)

    def clean(self, data, initial=None):
        files = [file for file in (data if isinstance(data, list | tuple) else [data]) if file]
        if not files:  # an empty list is no upload at all, never "0 images uploaded"
            if self.required:
                raise forms.ValidationError(
                    f"No file was sent in “{self.label}”: choose at least one image to upload.", code="required"
                )
            return []
        return [super(MultipleImageField, self).clean(file, initial) for file in files]


class UploadForm(forms.Form):
    files = MultipleImageField(
        label="Images", help_text="One or more JPEG, PNG, WebP, GIF or AVIF files; choose several at once."
    )
    alt_text = forms.CharField(
        max_length=500, required=False, help_text="Applies to every file uploaded now; edit each image afterwards."
    )
    caption = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)


class ImageChangeForm(forms.ModelForm):
    class Meta:
        model = Image
        fields = ["alt_text", "caption", "image_prompt", "notes"]
        widgets = {"alt_text": forms.TextInput(attrs={"size": 80})}


LARGEST_PAGE = 2**31 - 1


class ChooserFilterForm(forms.Form):
    """What the image chooser lists: a search, three filters and a page; refused input names its field."""

    q = forms.CharField(label="Search", required=False, max_length=200, validators=[refuse_control_characters])
    shape = forms.ChoiceField(
        label="Shape",
        required=False,
        choices=[("", "Any shape"), ("landscape", "Landscape"), ("portrait", "Portrait"), ("square", "Square")],
    )
    size = forms.ChoiceField(
        label="Size",
        required=False,
        choices=[
            ("", "Any size"),
            ("large", "Large: 1600 pixels wide or more"),
            ("medium", "Medium: 960 to 1599 pixels wide"),
            ("small", "Small: under 960 pixels wide"),
        ],
    )
    uploaded = forms.ChoiceField(
        label="Uploaded",
        required=False,
        choices=[
            ("", "Any time"),
            ("1", "In the last day"),
            ("7", "In the last 7 days"),
            ("30", "In the last 30 days"),
        ],
    )
    no_alt = forms.BooleanField(label="Only images without alt text", required=False)
    page = forms.IntegerField(label="Page", required=False, min_value=1, max_value=LARGEST_PAGE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, auto_id="image-chooser-%s", **kwargs)  # ids apart from the page's own fields


class ChooserUploadForm(UploadForm):
    """One image, uploaded from the chooser to be used at once; the media library's checks apply."""

    files = MultipleImageField(
        label="Image file",
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif,image/avif"}),
        help_text="A JPEG, PNG, WebP, GIF or AVIF file.",
    )
    alt_text = forms.CharField(
        label="Alt text",
        max_length=500,
        required=False,
        validators=[refuse_control_characters],
        help_text="What the image shows, for readers who cannot see it. Without it the post cannot be published.",
    )
    caption = forms.CharField(required=False, validators=[refuse_control_characters])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, auto_id="image-chooser-upload-%s", **kwargs)

    def clean_files(self):
        files = self.cleaned_data["files"]
        if len(files) > 1:
            raise forms.ValidationError("Send one file here; upload several at once from the media library.")
        return files
