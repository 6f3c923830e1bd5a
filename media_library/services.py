"""Every write of the media library. Each is one (durable) transaction.

Storage is not transactional, so files are written before the transaction and
deleted again when it fails; files that a committed change no longer uses are
deleted only after the commit (``transaction.on_commit``). Services that write
new files insist on being the outermost transaction (``durable=True``): a caller's
later rollback could otherwise leave files that no row points to.
"""

import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from media_library import batch, usage
from media_library.derivatives import DerivativeResult, DerivativeSpec, delete_files, derive
from media_library.models import Image
from media_library.validation import ImageRejected, validate_upload

logger = logging.getLogger(__name__)


@dataclass
class Upload:
    file: IO[bytes]
    name: str | None
    size: int


def _storage_name(extension: str) -> str:
    return f"images/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{extension}"


def _image_files(image: Image) -> list[str]:
    renditions = (image.image_metadata or {}).get("renditions") or {}
    return [name for name in [image.path.name, image.watermarked_path, *renditions.values()] if name]


def _delete_after_commit(names: list[str]) -> None:
    def delete() -> None:
        for name in names:
            try:
                default_storage.delete(name)
            except OSError:
                logger.exception("Could not delete %s from storage", name)

    transaction.on_commit(delete)


def _with_derivatives(metadata: dict, result: DerivativeResult) -> dict:
    return {**metadata, "renditions": result.renditions, "derivatives_fingerprint": result.fingerprint}


def upload_images(uploads: list[Upload], **fields: str) -> list[Image]:
    """Validate every upload, then store them all or none; ``fields`` (alt_text, caption…) apply to each.

    Raises ImageRejected listing every refused file, before anything is stored.
    """
    validated = []
    errors: list[str] = []
    for upload in uploads:
        try:
            validated.append(validate_upload(upload.file, upload.name, upload.size))
        except ImageRejected as error:
            errors.extend(f"{upload.name!r}: {message}" for message in error.messages)
    if errors:
        raise ImageRejected(errors)
    spec = DerivativeSpec.from_settings()
    stored: list[str] = []
    try:
        images = []
        for item in validated:
            name = default_storage.save(_storage_name(item.extension), File(item.content))
            stored.append(name)
            result = derive(None, name, spec)
            stored.extend(result.names)
            if result.error:
                raise ImageRejected(f"{item.original_filename!r}: the image could not be processed ({result.error}).")
            images.append(
                Image(
                    filename=name,
                    original_filename=item.original_filename,
                    path=name,
                    image_metadata=_with_derivatives(item.metadata, result),
                    watermarked=bool(result.watermarked_path),
                    watermarked_path=result.watermarked_path,
                    **fields,
                )
            )
        with transaction.atomic(durable=True):
            for image in images:
                image.save()
    except BaseException:
        delete_files(stored)
        raise
    return images


def record_derivatives(result: DerivativeResult) -> bool:
    """Point the image at freshly made derivatives; its previous ones go after the commit.

    Returns False (and deletes the new files) when the image was deleted or replaced meanwhile
    or the files could not be made.
    """
    if result.error:
        return False
    try:
        with transaction.atomic(durable=True):
            image = (
                Image.objects.select_for_update().filter(pk=result.image_id).first()
                if result.image_id is not None
                else None
            )
            if image is None or image.path.name != result.original:
                delete_files(result.names)
                return False
            previous = set(_image_files(image)) - set(result.names) - {image.path.name}
            image.watermarked_path = result.watermarked_path
            image.watermarked = bool(result.watermarked_path)
            image.image_metadata = _with_derivatives(image.image_metadata or {}, result)
            image.save(update_fields=["watermarked_path", "watermarked", "image_metadata", "updated_at"])
            _delete_after_commit(sorted(previous))
    except BaseException:
        delete_files(result.names)
        raise
    return True


def refresh_derivatives(images: Iterable[Image], workers: int = 1) -> Iterable[DerivativeResult]:
    """Remake watermark and renditions of ``images`` with the current settings; yields each result."""
    spec = DerivativeSpec.from_settings()
    jobs = ((image.pk, image.path.name) for image in images)
    for result in batch.run(jobs, spec, workers):  # type: ignore[arg-type]  # a stored image's file has a name
        if result.error is None and not record_derivatives(result):
            result.error = "The image was deleted or replaced meanwhile."
        yield result


def delete_images(images: Iterable[Image]) -> dict[Image, list[str]]:
    """Delete images in one transaction; returns, per image, the titles of the posts that lose it.

    The database sets the sections' image to NULL; the files go once the deletion commits.
    """
    images = list(images)
    uses = usage.image_usage([image.pk for image in images])
    with transaction.atomic():  # may nest (the admin's delete view is atomic): files go only on commit
        Image.objects.filter(pk__in=[image.pk for image in images]).delete()
        _delete_after_commit([name for image in images for name in _image_files(image)])
    return {image: [use.title for use in uses.get(image.pk, [])] for image in images}
