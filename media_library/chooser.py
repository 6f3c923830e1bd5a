"""The image chooser: staff-only admin views answering HTML fragments for a ``<dialog>`` on any page with an
image field (static/editorial/chooser.js), and the widget that offers it.

Listing and choosing need the right to view images; uploading needs the right to add them, and goes through
the media library's own validation and upload service. Bad input is a 4xx fragment naming the field.
Without JavaScript the widget is the admin's raw-id field, which keeps working on its own.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.admin.widgets import ForeignKeyRawIdWidget
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.views.decorators.csrf import csrf_exempt

from media_library import selectors
from media_library.forms import ChooserFilterForm, ChooserUploadForm
from media_library.models import Image
from media_library.renditions import best_url
from media_library.uploads import RawNameUploadHandler

PER_PAGE = 24
FORM_OVERHEAD_BYTES = 64 * 1024  # an upload's own fields and multipart headers, beside the file


class ImageChooserWidget(ForeignKeyRawIdWidget):
    """The raw-id image field, marked for chooser.js to add "Choose an image" when the editor may view images."""

    class Media:
        js = ["editorial/chooser.js"]
        css = {"all": ["editorial/chooser.css"]}

    def __init__(self, rel, admin_site, *, chooser: bool, **kwargs):
        super().__init__(rel, admin_site, **kwargs)
        if chooser:
            self.attrs["data-image-chooser"] = reverse("admin:media_library_image_chooser")


def chosen_context(image: Image) -> dict:
    """What ``chosen.html`` shows of an image: used by the chooser and by the pages that show a chosen one."""
    return {"image": image, "thumbnail": best_url(image, 480)}


class ImageChooserMixin:
    """The chooser's views on the image ModelAdmin."""

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("chooser/", view(self.chooser_view), name="media_library_image_chooser"),
            path("chooser/upload/", csrf_exempt(self.chooser_upload_entry), name="media_library_image_chooser_upload"),
            path("chooser/<str:image_id>/", view(self.chosen_view), name="media_library_image_chosen"),
            *super().get_urls(),
        ]

    def _fragment(self, request, template: str, context: dict, status: int = 200) -> TemplateResponse:
        return TemplateResponse(request, f"admin/media_library/image/{template}", context, status=status)

    def chooser_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = ChooserFilterForm(request.GET)
        context = {"form": form, "may_upload": self.has_add_permission(request), "upload_form": ChooserUploadForm()}
        if not form.is_valid():
            return self._fragment(request, "chooser.html", {**context, "refused": True}, status=400)
        data = form.cleaned_data
        images = selectors.chooser_images(
            search=data["q"].strip(),
            shape=data["shape"],
            size=data["size"],
            uploaded_days=int(data["uploaded"]) if data["uploaded"] else None,
            without_alt=data["no_alt"],
        )
        page = Paginator(images, PER_PAGE).get_page(data["page"] or 1)  # past the last page: the last one
        results = [(image, best_url(image, 480)) for image in page]
        template = "chooser_results.html" if "results" in request.GET else "chooser.html"
        return self._fragment(request, template, {**context, "page": page, "results": results})

    def chosen_view(self, request: HttpRequest, image_id: str) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        image = Image.objects.filter(pk=int(image_id)).first() if image_id.isdigit() and len(image_id) < 10 else None
        if image is None:
            return self._fragment(request, "chosen.html", {"missing": image_id[:20]}, status=404)
        return self._fragment(request, "chosen.html", chosen_context(image))

    def chooser_upload_entry(self, request: HttpRequest) -> HttpResponse:
        """Refuse an upload too big before reading it; keep the file names as sent (see uploads.py)."""
        limit = settings.IMAGE_MAX_BYTES + FORM_OVERHEAD_BYTES
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit:
            return self.admin_site.admin_view(self._too_big)(request)
        request.upload_handlers.insert(0, RawNameUploadHandler(request))
        return self.admin_site.admin_view(self.chooser_upload_view)(request)

    def _too_big(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ChooserUploadForm()
        refusal = (
            f"{form['files'].label}: The file is larger than the limit of "
            f"{filesizeformat(settings.IMAGE_MAX_BYTES)}: make it smaller, or choose another."
        )
        return self._fragment(request, "chooser_upload.html", {"upload_form": form, "refusal": refusal}, status=413)

    def chooser_upload_view(self, request: HttpRequest) -> HttpResponse:
        if request.method != "POST":
            return HttpResponse("Send the image with POST.", status=405, headers={"Allow": "POST"})
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ChooserUploadForm(request.POST, request.FILES)
        images = self.store_uploads(request, form) if form.is_valid() else None
        if not images:
            return self._fragment(request, "chooser_upload.html", {"upload_form": form}, status=400)
        return self._fragment(request, "chosen.html", {**chosen_context(images[0]), "uploaded": True}, status=201)
