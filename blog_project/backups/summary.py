"""What the restore and verify commands print."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from blog_project.backups.restore import RestoreRequest, RestoreResult


def restore_report(command: BaseCommand, request: RestoreRequest, result: RestoreResult, verb: str) -> None:
    for table, (expected, actual) in result.mismatches.items():
        command.stderr.write(f"  {table}: manifest {_count(expected)}, restored {_count(actual)}")
    rows = sum(result.tables.values())
    if result.manifest is None:
        check = "no manifest beside the file, row counts not compared"
    elif result.mismatches:
        check = f"{len(result.mismatches)} tables differ from the manifest"
    else:
        check = "row counts match the manifest"
    media = f", {result.media_files} media files" if request.media else ""
    command.stdout.write(
        f"{verb} {request.path.name} into {request.target.describe()}: {len(result.tables)} tables, {rows} rows"
        f"{media} in {result.seconds:.1f} s; {check}."
    )


def _count(value: int | None) -> str:
    return "missing" if value is None else str(value)
