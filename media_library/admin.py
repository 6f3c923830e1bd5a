from django.contrib import admin, messages
from django.contrib.admin.options import IS_POPUP_VAR, TO_FIELD_VAR
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.views.decorators.csrf import csrf_exempt

from media_library import selectors, services, usage
from media_library.chooser import ImageChooserMixin
from media_library.derivatives import DerivativeSpec
from media_library.forms import ImageChangeForm, UploadForm
from media_library.models import Image
from media_library.renditions import best_url
from media_library.uploads import RawNameUploadHandler
from media_library.validation import ImageRejected

MISSING = mark_safe('<strong style="color:#ba2121">missing</strong>')


class FormatFilter(admin.SimpleListFilter):
    title = "format"
    parameter_name = "format"

    def lookups(self, request, model_admin):
        return [(value, value) for value in selectors.formats_in_use()]

    def queryset(self, request, queryset):
        return queryset.filter(image_metadata__format=self.value()) if self.value() else queryset


class DerivativesFilter(admin.SimpleListFilter):
    title = "watermark and renditions"
    parameter_name = "derivatives"

    def lookups(self, request, model_admin):
        return [("outdated", "made with other settings, or missing")]

    def queryset(self, request, queryset):
        if self.value() != "outdated":
            return queryset
        outdated = selectors.images_needing_derivatives(DerivativeSpec.from_settings().fingerprint())
        return queryset.filter(pk__in=outdated.values("pk"))


def _links(uses: list[usage.ImageUse]) -> str:
    return format_html_join(", ", '<a href="{}">{}</a>', ((use.admin_url, use.title) for use in uses))


@admin.register(Image)
class ImageAdmin(ImageChooserMixin, admin.ModelAdmin):
    form = ImageChangeForm
    list_display = ["thumbnail", "original_filename", "alt_text_or_warning", "image_format", "size", "watermarked"]
    list_display += ["used_in", "created_at"]
    list_display_links = ["thumbnail", "original_filename"]
    list_filter = [FormatFilter, "watermarked", DerivativesFilter]
    search_fields = ["filename", "original_filename", "alt_text", "caption"]
    readonly_fields = ["preview", "where_used", "original_filename", "filename", "details", "watermarked_path"]
    fieldsets = [
        (None, {"fields": ["preview", "alt_text", "caption", "image_prompt", "notes"]}),
        ("Where it is used", {"fields": ["where_used"]}),
        ("File", {"fields": ["original_filename", "filename", "details", "watermarked_path"]}),
    ]
    actions = ["remake_derivatives"]
    list_per_page = 50

    def get_queryset(self, request):
        return selectors.images_for_admin_list()

    @admin.display(description="")
    def thumbnail(self, image: Image) -> str:
        return format_html('<img src="{}" alt="" width="80" loading="lazy">', best_url(image, 480))

    @admin.display(description="alt text", ordering="alt_text")
    def alt_text_or_warning(self, image: Image) -> str:
        return MISSING if image.lacks_alt_text else image.alt_text

    @admin.display(description="format")
    def image_format(self, image: Image) -> str:
        return (image.image_metadata or {}).get("format", "")

    @admin.display(description="pixels")
    def size(self, image: Image) -> str:
        return f"{image.width}x{image.height}" if image.width else ""

    @admin.display(description="posts", ordering="post_count")
    def used_in(self, image: Image) -> int:
        return image.post_count

    @admin.display(description="preview")
    def preview(self, image: Image) -> str:
        return format_html(
            '<img src="{}" alt="{}" style="max-width:480px;max-height:360px"><br><a href="{}">original</a>',
            best_url(image, 960),
            image.alt_text or "",
            image.path.url,
        )

    @admin.display(description="posts showing it")
    def where_used(self, image: Image) -> str:
        return _links(usage.image_usage([image.pk]).get(image.pk, [])) or "no post"

    @admin.display(description="metadata")
    def details(self, image: Image) -> str:
        meta = image.image_metadata or {}
        rows = [
            (key, meta[key]) for key in ("format", "mode", "width", "height", "bytes", "orientation") if key in meta
        ]
        rows += [(f"EXIF {key}", value) for key, value in (meta.get("exif") or {}).items()]
        rows += [(f"rendition {width}w", name) for width, name in (meta.get("renditions") or {}).items()]
        return format_html_join("", "<div>{}: {}</div>", rows) or "-"

    # Uploading: the add page is the upload form (one or many files).

    def get_urls(self):
        upload = csrf_exempt(self.upload_entry)
        return [path("upload/", upload, name="media_library_image_upload"), *super().get_urls()]

    def add_view(self, request, form_url="", extra_context=None):
        upload = reverse("admin:media_library_image_upload")
        query = request.GET.urlencode()  # a lookup popup's _popup and _to_field: the upload answers the popup
        return redirect(f"{upload}?{query}" if query else upload)

    def upload_entry(self, request):
        """Install the name-keeping upload handler before anything reads the request body."""
        request.upload_handlers.insert(0, RawNameUploadHandler(request))
        return self.admin_site.admin_view(self.upload_view)(request)

    def store_uploads(self, request, form) -> list[Image] | None:
        """Store the valid ``form``'s files through the upload service; None, with the refusal on the form's
        files field, when the library refuses one."""
        files = form.cleaned_data["files"]
        names = getattr(request, "raw_upload_names", [])
        if len(names) != len(files):
            names = [file.name for file in files]
        uploads = [services.Upload(file, name, file.size) for file, name in zip(files, names, strict=True)]
        fields = {key: form.cleaned_data[key] or None for key in ("alt_text", "caption")}
        try:
            return services.upload_images(uploads, **fields)
        except ImageRejected as error:
            form.add_error("files", error)
            return None

    def upload_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        # A POST is always a bound form, even an empty one: it gets "no file" rather than a blank form again.
        form = UploadForm(request.POST, request.FILES) if request.method == "POST" else UploadForm()
        is_popup = IS_POPUP_VAR in request.POST or IS_POPUP_VAR in request.GET
        images = self.store_uploads(request, form) if form.is_bound and form.is_valid() else None
        if images:
            if is_popup and len(images) == 1:
                return self.response_add(request, images[0])  # fills the field that opened the popup
            self.message_user(request, f"Uploaded {len(images)} image(s).", messages.SUCCESS)
            if len(images) == 1:
                return redirect("admin:media_library_image_change", images[0].pk)
            return redirect("admin:media_library_image_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "form": form,
            "title": "Upload images",
            "has_view_permission": self.has_view_permission(request),
            "is_popup": is_popup,
            "to_field": request.POST.get(TO_FIELD_VAR, request.GET.get(TO_FIELD_VAR, "")),
        }
        return TemplateResponse(request, "admin/media_library/image/upload.html", context)

    # Deleting: tell the editor which posts lose the image.

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        uses = usage.image_usage([image.pk for image in objs])
        for image in objs:
            if uses.get(image.pk):
                deleted.append(format_html("{} disappears from: {}", image, _links(uses[image.pk])))
        return deleted, counts, perms_needed, protected

    def delete_model(self, request, obj):
        self.delete_queryset(request, [obj])

    def delete_queryset(self, request, queryset):
        for image, titles in services.delete_images(queryset).items():
            if titles:
                message = f"Posts that lost the image “{image}”: {', '.join(titles)}."
                self.message_user(request, message, messages.WARNING)

    @admin.action(description="Remake watermark and renditions (current settings)", permissions=["change"])
    def remake_derivatives(self, request, queryset):
        results = list(services.refresh_derivatives(queryset.only("pk", "path")))
        failed = [result for result in results if result.error]
        done = len(results) - len(failed)
        self.message_user(request, f"Watermark and renditions remade for {done} image(s).", messages.SUCCESS)
        for result in failed:
            self.message_user(request, f"{result.original}: {result.error}", messages.ERROR)
