"""The media settings' system checks, on real settings and real files."""

import os
import shutil
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.core.checks import Error, run_checks
from PIL import Image as PILImage

from media_library import checks

S3_BACKEND = "storages.backends.s3.S3Storage"


def ids(problems) -> list[str]:
    return [problem.id for problem in problems]


def s3(settings, **options):
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": S3_BACKEND, "OPTIONS": options}}


def test_default_settings_raise_nothing():
    assert checks.check_upload_limits(None) == []
    assert checks.check_renditions(None) == []
    assert checks.check_watermark(None) == []
    assert checks.check_image_formats(None) == []
    assert checks.check_media_storage(None) == []
    assert run_checks(tags=[checks.TAG]) == []


@pytest.mark.parametrize(
    ("name", "check_id"),
    [
        ("IMAGE_MAX_BYTES", "media_library.E001"),
        ("IMAGE_MAX_PIXELS", "media_library.E002"),
        ("IMAGE_MAX_FRAMES", "media_library.E003"),
        ("IMAGE_MAX_METADATA_BYTES", "media_library.E004"),
    ],
)
@pytest.mark.parametrize("value", [0, -1, "100", True])
def test_upload_limits_must_be_positive_whole_numbers(settings, name, check_id, value):
    setattr(settings, name, value)

    problems = checks.check_upload_limits(None)

    assert ids(problems) == [check_id]
    assert isinstance(problems[0], Error)
    assert f"{name}=" in problems[0].hint


def test_pixel_limit_above_pillows_bomb_limit_is_a_warning(settings):
    settings.IMAGE_MAX_PIXELS = PILImage.MAX_IMAGE_PIXELS + 1

    problems = checks.check_upload_limits(None)

    assert ids(problems) == ["media_library.W001"]
    assert not problems[0].is_serious()


@pytest.mark.parametrize("widths", [[0], [-480, 960], [480, 20000], ["480"], "480,960"])
def test_rendition_widths_must_be_positive_whole_numbers_webp_can_hold(settings, widths):
    settings.IMAGE_RENDITION_WIDTHS = widths

    problems = checks.check_renditions(None)

    assert ids(problems) == ["media_library.E005"]
    assert "IMAGE_RENDITION_WIDTHS=480,960,1600" in problems[0].hint


def test_no_rendition_widths_is_allowed(settings):
    settings.IMAGE_RENDITION_WIDTHS = []

    assert checks.check_renditions(None) == []


@pytest.mark.parametrize("quality", [-1, 101, 80.5])
def test_rendition_quality_is_0_to_100(settings, quality):
    settings.IMAGE_RENDITION_QUALITY = quality

    assert ids(checks.check_renditions(None)) == ["media_library.E006"]


@pytest.mark.parametrize(
    ("name", "value", "check_id"),
    [
        ("WATERMARK_POSITION", "middle", "media_library.E007"),
        ("WATERMARK_POSITION", "Bottom-Right", "media_library.E007"),
        ("WATERMARK_OPACITY", 0, "media_library.E008"),
        ("WATERMARK_OPACITY", 1.5, "media_library.E008"),
        ("WATERMARK_OPACITY", float("nan"), "media_library.E008"),
        ("WATERMARK_SIZE", 0.0, "media_library.E009"),
        ("WATERMARK_SIZE", 2, "media_library.E009"),
        ("WATERMARK_SIZE", "0.25", "media_library.E009"),
    ],
)
def test_bad_watermark_settings_are_errors_even_without_a_watermark(settings, name, value, check_id):
    settings.WATERMARK_TEXT, settings.WATERMARK_LOGO = "", ""
    setattr(settings, name, value)

    problems = checks.check_watermark(None)

    assert ids(problems) == [check_id]
    assert f"{name}=" in problems[0].hint


def test_watermark_logo_must_exist(settings, tmp_path):
    settings.WATERMARK_LOGO = str(tmp_path / "missing.png")

    problems = checks.check_watermark(None)

    assert ids(problems) == ["media_library.E010"]
    assert "missing.png" in problems[0].msg


def test_watermark_logo_must_be_an_image_pillow_reads(settings, tmp_path):
    logo = tmp_path / "logo.png"
    logo.write_text("not a picture")
    settings.WATERMARK_LOGO = str(logo)

    assert ids(checks.check_watermark(None)) == ["media_library.E011"]


def test_a_readable_logo_and_text_pass(settings, watermark):
    assert checks.check_watermark(None) == []


def test_an_unknown_storage_backend_is_an_error(settings):
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "storages.backends.nope.Storage"}}

    assert ids(checks.check_media_storage(None)) == ["media_library.E012"]


def test_complete_s3_options_pass(settings):
    s3(settings, bucket_name="blog-media", endpoint_url="http://127.0.0.1:9000", access_key="k", secret_key="s")

    assert checks.check_media_storage(None) == []


def test_s3_needs_a_bucket(settings):
    settings.AWS_STORAGE_BUCKET_NAME = ""
    s3(settings, bucket_name=None)

    problems = checks.check_media_storage(None)

    assert ids(problems) == ["media_library.E013"]
    assert "AWS_STORAGE_BUCKET_NAME=blog-media" in problems[0].hint


@pytest.mark.parametrize(
    ("options", "check_id"),
    [
        ({"access_key": "key", "secret_key": None}, "media_library.E014"),
        ({"access_key": None, "secret_key": "secret"}, "media_library.E014"),
        ({"endpoint_url": "minio.internal:9000"}, "media_library.E015"),
        ({"endpoint_url": "ftp://minio.internal"}, "media_library.E015"),
        ({"custom_domain": "https://cdn.example.com"}, "media_library.E016"),
    ],
)
def test_broken_s3_options(settings, options, check_id):
    s3(settings, bucket_name="blog-media", **options)

    assert ids(checks.check_media_storage(None)) == [check_id]


def test_media_root_that_does_not_exist_yet_passes_and_is_not_created(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "new" / "media"

    assert checks.check_media_storage(None) == []
    assert not (tmp_path / "new").exists()


@pytest.mark.parametrize("below", ["", "media"])
def test_media_root_blocked_by_a_file(settings, tmp_path, below):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    settings.MEDIA_ROOT = blocker / below if below else blocker

    problems = checks.check_media_storage(None)

    assert ids(problems) == ["media_library.E017"]
    assert "MEDIA_ROOT=" in problems[0].hint


def test_media_root_not_writable(settings, tmp_path):
    """Root writes anywhere except into an immutable folder (chattr, as the backup failure tests do)."""
    folder = tmp_path / "read-only"
    folder.mkdir(mode=0o500)
    immutable = os.geteuid() == 0
    if immutable and (shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(folder)]).returncode):
        pytest.fail("as root this test makes the folder immutable with chattr (e2fsprogs)")
    settings.MEDIA_ROOT = folder
    try:
        assert ids(checks.check_media_storage(None)) == ["media_library.E017"]
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(folder)], check=True)


def test_manage_py_check_fails_on_a_bad_environment_variable():
    environment = {**os.environ, "WATERMARK_OPACITY": "2"}

    done = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=django_settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert done.returncode == 1
    assert "(media_library.E008) WATERMARK_OPACITY is 2.0" in done.stderr
    assert "HINT: Set the environment variable WATERMARK_OPACITY, for example WATERMARK_OPACITY=0.5" in done.stderr


def test_serve_media_needs_media_on_this_disk_under_a_local_path(settings):
    settings.SERVE_MEDIA = True
    assert checks.check_media_serving(None) == []

    s3(settings, bucket_name="blog-media")
    settings.MEDIA_URL = "https://cdn.example.org/media/"
    assert ids(checks.check_media_serving(None)) == ["media_library.E018", "media_library.E019"]

    settings.SERVE_MEDIA = False
    assert checks.check_media_serving(None) == []
