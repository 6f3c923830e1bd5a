import factory
from django.core.files.base import ContentFile

from media_library.models import Image
from testing.images import png_bytes


class ImageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Image

    filename = factory.Sequence(lambda n: f"images/test/image-{n}.png")
    original_filename = factory.Sequence(lambda n: f"holiday {n}.png")
    path = factory.LazyAttribute(lambda image: ContentFile(png_bytes(), name=image.filename.rsplit("/", 1)[-1]))
    alt_text = factory.Sequence(lambda n: f"A teal rectangle, number {n}")
    image_metadata = factory.LazyFunction(lambda: {"width": 8, "height": 6, "format": "PNG"})


def upload(content: bytes, name: str = "photo.jpg"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from media_library.services import Upload

    return Upload(SimpleUploadedFile(name, content), name, len(content))
