import pytest
from PIL import Image as PILImage


@pytest.fixture
def watermark(settings, tmp_path):
    """A text and logo watermark; returns the logo's path."""
    logo = tmp_path / "logo.png"
    PILImage.new("RGBA", (40, 20), (255, 0, 0, 255)).save(logo)
    settings.WATERMARK_TEXT = "© The Blog"
    settings.WATERMARK_LOGO = str(logo)
    settings.WATERMARK_POSITION = "bottom-right"
    settings.WATERMARK_OPACITY = 1.0
    settings.WATERMARK_SIZE = 0.3
    return logo
