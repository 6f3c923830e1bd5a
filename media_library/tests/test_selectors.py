import os
import subprocess
import sys

import pytest
from django.conf import settings

from content.tests.factories import ImageSectionFactory
from media_library import selectors
from media_library.tests.factories import ImageFactory

pytestmark = pytest.mark.django_db


def test_images_missing_alt_text_finds_empty_and_blank(django_assert_num_queries):
    good = ImageFactory(alt_text="Boats")
    empty, blank, none = ImageFactory(alt_text=""), ImageFactory(alt_text="  \n"), ImageFactory(alt_text=None)
    ImageFactory(alt_text=None)  # not asked about
    with django_assert_num_queries(1):
        missing = set(selectors.images_missing_alt_text([good.pk, empty.pk, blank.pk, none.pk]))
    assert missing == {empty, blank, none}


def test_image_usage_lists_each_post_once_in_one_query(django_assert_num_queries):
    image, unused = ImageFactory(), ImageFactory()
    first = ImageSectionFactory(image=image, post__title="B post")
    ImageSectionFactory(image=image, post=first.post)
    ImageSectionFactory(image=image, post__title="A post")
    with django_assert_num_queries(1):
        usage = selectors.image_usage([image.pk, unused.pk])
    assert [post.title for post in usage[image.pk]] == ["A post", "B post"]
    assert unused.pk not in usage


def test_s3_storage_is_configured_from_environment_variables():
    env = {
        **os.environ,
        "AWS_STORAGE_BUCKET_NAME": "media-bucket",
        "AWS_S3_ENDPOINT_URL": "http://127.0.0.1:9000",
        "AWS_S3_REGION_NAME": "eu-west-1",
    }
    code = "from django.conf import settings; o = settings.STORAGES['default']; print(o['BACKEND'], o['OPTIONS'])"
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env={**env, "DJANGO_SETTINGS_MODULE": "blog_project.settings"},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.startswith("storages.backends.s3.S3Storage")
    assert "'bucket_name': 'media-bucket'" in result.stdout and "'region_name': 'eu-west-1'" in result.stdout
    assert settings.STORAGES["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"
