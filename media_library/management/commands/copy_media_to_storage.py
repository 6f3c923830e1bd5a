from pathlib import Path

from django.conf import settings
from django.core.files.storage import storages
from django.core.management.base import BaseCommand, CommandError

from media_library.storage_copy import CopyError, copy_media


def _size(count: float) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if count < 1000 or unit == "GB":
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1000
    return ""


class Command(BaseCommand):
    help = (
        "Copy the media files of a local folder (default MEDIA_ROOT) into the configured storage (a bucket), "
        "under the same names. Files already there with the same size and ETag are skipped: safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="source", help="the local folder (default MEDIA_ROOT)")
        parser.add_argument("--to", default="default", help="a storage of STORAGES (default: default, the media's)")
        parser.add_argument("--dry-run", action="store_true", help="say what would be copied, copy nothing")

    def handle(self, *args, **options):
        source = Path(options["source"] or settings.MEDIA_ROOT).expanduser()
        if options["to"] not in settings.STORAGES:
            raise CommandError(f"there is no storage {options['to']!r} in STORAGES ({', '.join(settings.STORAGES)}).")
        storage = storages[options["to"]]
        try:
            report = copy_media(source, storage, dry_run=options["dry_run"], progress=options["verbosity"] > 0)
        except CopyError as error:
            raise CommandError(str(error)) from None
        except KeyboardInterrupt:
            self.stderr.write("Interrupted; run again to copy the rest (files already copied are skipped).")
            raise SystemExit(130) from None
        verb = "Would copy" if options["dry_run"] else "Copied"
        self.stdout.write(
            f"{verb} {len(report.copied)} files ({_size(report.bytes_copied)}) from {source} to the storage "
            f"{options['to']!r} ({type(storage).__name__}); {report.skipped} already there were skipped."
        )
