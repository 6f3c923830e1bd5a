from django import forms

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
