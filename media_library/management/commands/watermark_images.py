from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from media_library import batch, selectors, services
from media_library.derivatives import DerivativeSpec
from media_library.models import Image


class Command(BaseCommand):
    help = (
        "Watermark images with the current WATERMARK_* settings and remake their renditions, "
        "over all cores. Safe to interrupt and run again."
    )
    requires_watermark = True

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group()
        which.add_argument(
            "--missing", action="store_true", help="Images never done, or done with other settings (default)."
        )
        which.add_argument("--all", action="store_true", help="Every image.")
        which.add_argument("--ids", nargs="+", type=int, metavar="ID", help="These images.")
        parser.add_argument(
            "--workers", type=int, default=batch.default_workers(), help="Processes (default: all cores)."
        )

    def handle(self, *args, **options):
        spec = DerivativeSpec.from_settings()
        if self.requires_watermark and spec.watermark is None:
            raise CommandError("No watermark is configured: set WATERMARK_TEXT and/or WATERMARK_LOGO.")
        if options["all"]:
            images = Image.objects.all()
        elif options["ids"]:
            images = Image.objects.filter(pk__in=options["ids"])
            missing = set(options["ids"]) - set(images.values_list("pk", flat=True))
            if missing:
                raise CommandError(f"No image with id {', '.join(map(str, sorted(missing)))}.")
        else:
            images = selectors.images_needing_derivatives(spec.fingerprint())
        images = images.order_by("pk").only("pk", "path")
        done = failed = 0
        with tqdm(total=images.count(), unit="image", disable=options["verbosity"] == 0) as progress:
            try:
                for result in services.refresh_derivatives(images.iterator(chunk_size=500), options["workers"]):
                    if result.error:
                        failed += 1
                        progress.write(f"image {result.image_id} ({result.original}): {result.error}")
                    else:
                        done += 1
                    progress.update()
            except KeyboardInterrupt:
                self.stderr.write(f"Interrupted after {done} image(s); run again with --missing to finish.")
                raise SystemExit(130) from None
        self.stdout.write(f"{done} image(s) done, {failed} failed.")
        if failed:
            raise CommandError(f"{failed} image(s) could not be processed.")
