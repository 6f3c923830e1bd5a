from media_library.management.commands.watermark_images import Command as WatermarkCommand


class Command(WatermarkCommand):
    help = (
        "Make the WebP renditions (and the watermark, when one is configured) of images that lack them "
        "or were made with other settings, over all cores. Safe to interrupt and run again."
    )
    requires_watermark = False
