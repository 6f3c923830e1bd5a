import pytest

from content.tests.factories import ImageSectionFactory
from media_library import usage
from media_library.models import Image
from media_library.tests.factories import ImageFactory

pytestmark = pytest.mark.django_db


def test_image_usage_lists_each_post_once_in_one_query(django_assert_num_queries):
    image, unused = ImageFactory(), ImageFactory()
    first = ImageSectionFactory(image=image, post__title="B post")
    ImageSectionFactory(image=image, post=first.post)
    ImageSectionFactory(image=image, post__title="A post")
    with django_assert_num_queries(1):
        uses = usage.image_usage([image.pk, unused.pk])
    assert [post.title for post in uses[image.pk]] == ["A post", "B post"]
    assert uses[image.pk][1].admin_url == f"/admin/content/post/{first.post.pk}/change/"
    assert unused.pk not in uses


def test_use_count_counts_posts_not_sections():
    image, unused = ImageFactory(), ImageFactory()
    first = ImageSectionFactory(image=image)
    ImageSectionFactory(image=image, post=first.post)
    ImageSectionFactory(image=image)
    counts = dict(Image.objects.annotate(n=usage.use_count()).values_list("pk", "n"))
    assert counts == {image.pk: 2, unused.pk: 0}
