"""The S3 path, through real HTTP to moto's S3-compatible server on 127.0.0.1."""

import os
import subprocess
import sys
import urllib.request

import boto3
import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from moto.server import ThreadedMotoServer
from PIL import Image as PILImage

from media_library import services
from media_library.models import Image
from media_library.renditions import best_url, srcset
from media_library.tests.factories import upload
from testing.images import encoded, jpeg_with_exif, photo

BUCKET = "blog-media"
CREDENTIALS = {"aws_access_key_id": "test-key", "aws_secret_access_key": "test-secret", "region_name": "us-east-1"}


@pytest.fixture(scope="module")
def s3_endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    boto3.client("s3", endpoint_url=endpoint, **CREDENTIALS).create_bucket(Bucket=BUCKET)
    yield endpoint
    server.stop()


@pytest.fixture
def s3_storage(settings, s3_endpoint):
    """The same STORAGES block settings.py builds from AWS_* variables."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": s3_endpoint,
                "access_key": CREDENTIALS["aws_access_key_id"],
                "secret_key": CREDENTIALS["aws_secret_access_key"],
                "region_name": CREDENTIALS["region_name"],
                "querystring_auth": False,
                "default_acl": "public-read",
                "file_overwrite": False,
            },
        },
    }
    client = boto3.client("s3", endpoint_url=s3_endpoint, **CREDENTIALS)

    def keys() -> set[str]:
        return {item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])}

    yield keys
    for key in keys():
        client.delete_object(Bucket=BUCKET, Key=key)


@pytest.mark.django_db
def test_upload_renditions_and_delete_through_s3(s3_storage, settings, django_capture_on_commit_callbacks):
    (image,) = services.upload_images([upload(jpeg_with_exif(1000, 700), "harbour.jpg")])
    expected = {image.path.name, *image.image_metadata["renditions"].values()}
    assert s3_storage() == expected
    assert not settings.MEDIA_ROOT.exists()  # nothing went to the local filesystem

    url = best_url(image)
    assert url.startswith("http://127.0.0.1:") and url.endswith("-1000w.webp")
    with urllib.request.urlopen(url) as response:
        assert response.read(12)[8:12] == b"WEBP"
    assert srcset(image).count("w, ") == 2  # 480, 960 and 1000

    with django_capture_on_commit_callbacks(execute=True):
        services.delete_images([image])
    assert s3_storage() == set()


@pytest.mark.django_db
def test_watermark_command_with_workers_reads_and_writes_s3(
    s3_storage, watermark, settings, django_capture_on_commit_callbacks
):
    settings.WATERMARK_TEXT, settings.WATERMARK_LOGO = "", ""
    images = services.upload_images([upload(encoded(photo(600, 400), "PNG"), f"{n}.png") for n in range(2)])
    assert not any(image.watermarked for image in images)

    settings.WATERMARK_TEXT = "© The Blog"
    with django_capture_on_commit_callbacks(execute=True):
        call_command("watermark_images", "--missing", "--workers", "2", verbosity=0)
    for image in Image.objects.all():
        assert image.watermarked
        assert {image.watermarked_path, *image.image_metadata["renditions"].values()} <= s3_storage()
        with default_storage.open(image.image_metadata["renditions"]["600"]) as handle:
            assert PILImage.open(handle).size == (600, 400)
    old_renditions = {name for image in images for name in image.image_metadata["renditions"].values()}
    assert not old_renditions & s3_storage()  # the pre-watermark renditions were removed


def test_s3_storage_is_configured_from_environment_variables(settings):
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
