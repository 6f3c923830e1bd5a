import factory
from django.core.files.base import ContentFile

from media_library.models import Image


def png_bytes(width: int = 8, height: int = 6, color: str = "teal") -> bytes:
    from io import BytesIO

    from PIL import Image as PILImage

    buffer = BytesIO()
    PILImage.new("RGB", (width, height), color).save(buffer, "PNG")
    return buffer.getvalue()


class ImageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Image

    filename = factory.Sequence(lambda n: f"images/test/image-{n}.png")
    original_filename = factory.Sequence(lambda n: f"holiday {n}.png")
    path = factory.LazyAttribute(lambda image: ContentFile(png_bytes(), name=image.filename.rsplit("/", 1)[-1]))
    alt_text = factory.Sequence(lambda n: f"A teal rectangle, number {n}")
    image_metadata = factory.LazyFunction(lambda: {"width": 8, "height": 6, "format": "PNG"})
