import pytest

from media_library.models import Image
from media_library.tests.factories import ImageFactory

pytestmark = pytest.mark.django_db


def test_lacks_alt_text_for_empty_blank_and_missing(django_assert_num_queries):
    """The one alt-text rule: the publishing checks and the admin's "missing" both use it."""
    good = ImageFactory(alt_text="Boats")
    empty, blank, none = ImageFactory(alt_text=""), ImageFactory(alt_text="  \n"), ImageFactory(alt_text=None)
    ImageFactory(alt_text=None)  # not asked about
    with django_assert_num_queries(1):
        images = Image.objects.filter(pk__in=[good.pk, empty.pk, blank.pk, none.pk])
        missing = {image for image in images if image.lacks_alt_text}
    assert missing == {empty, blank, none}
