"""Benchmark: pg_backup against a bare pg_dump of the same database, and the restore time.

Builds a scratch database on the configured server (the embedded PostgreSQL by default)
with the project's schema and --sections sections (default 200,000), then, in the same
run and interleaved, times:

- a bare ``pg_dump --format=plain -f FILE`` (the floor),
- ``manage.py pg_backup`` as cron runs it (a new process: Django start-up included),
- the backup service alone (``create_backup``, what pg_backup does after start-up),
- the same for ``--format custom`` against ``pg_dump --format=custom``,
- the restore (recovery time): ``manage.py pg_restore`` of each into a new database.

Target: pg_backup at most 1.1x the bare pg_dump. Run with ``make bench-backup``
(``BENCH_BACKUP_ARGS="--sections 50000"`` for a quicker look).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "blog_project.settings")

import django  # noqa: E402

django.setup()

from blog_project.backups.connection import (  # noqa: E402
    Database,
    create_database,
    drop_database,
    row_counts,
    server_version,
)
from blog_project.backups.dump import BackupRequest, create_backup  # noqa: E402
from blog_project.backups.tools import find_tool  # noqa: E402

BENCH_DATABASE = "blog_bench_backup"
PARAGRAPH = (
    "The harbour was quiet in the early light, and the fishing boats rocked gently against the "
    "wooden pier while gulls argued over the night's catch. Along the quay, the first cafés opened "
    "their shutters; the smell of coffee and fresh bread drifted across the cobbles. "
)


def manage(*args: str, database: Database, **variables: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "DATABASE_URL": database.url(), **variables}
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    completed = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=environment, capture_output=True, text=True
    )
    if completed.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed: {completed.stderr.strip()}")
    return completed


def build(server: Database, sections: int, per_post: int) -> Database:
    database = server.with_name(BENCH_DATABASE)
    drop_database(server, BENCH_DATABASE)
    create_database(server, BENCH_DATABASE)
    started = time.perf_counter()
    manage("migrate", "--noinput", "-v0", database=database)
    posts = -(-sections // per_post)
    with database.connect() as connection:
        connection.execute(
            "INSERT INTO post (title, slug, content, summary, published, stage_data, llm_metadata) "
            "SELECT 'Post ' || i, 'post-' || i, %s, 'Summary of post ' || i, i %% 3 <> 0, '{}', "
            "jsonb_build_object('keywords', jsonb_build_array('harbour', 'post ' || i)) "
            "FROM generate_series(1, %s) AS i",
            [PARAGRAPH, posts],
        )
        connection.execute(
            "INSERT INTO post_section (post_id, position, title, content, content_type, keywords, "
            "video_url, duration, created_at, updated_at) "
            "SELECT p.id, s, 'Section ' || s, "
            "CASE WHEN s %% 10 = 0 THEN '' ELSE repeat(%s, 1 + (s %% 4)) || md5(p.id::text || '-' || s) END, "
            "CASE WHEN s %% 10 = 0 THEN 'video' ELSE 'text' END, "
            "jsonb_build_array('harbour', 'section ' || s), "
            "CASE WHEN s %% 10 = 0 THEN 'https://video.example.org/' || p.id || '/' || s END, "
            "CASE WHEN s %% 10 = 0 THEN 60 + s END, now(), now() "
            "FROM post p CROSS JOIN generate_series(1, %s) AS s "
            "ORDER BY p.id, s LIMIT %s",
            [PARAGRAPH, per_post, sections],
        )
        connection.execute("VACUUM ANALYZE")
        count = connection.execute("SELECT count(*) FROM post_section").fetchone()[0]
        size = connection.execute("SELECT pg_database_size(current_database())").fetchone()[0]
    print(
        f"built {BENCH_DATABASE}: {posts} posts, {count} sections, {size / 1e6:.0f} MB "
        f"in {time.perf_counter() - started:.1f} s"
    )
    return database


def timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sections", type=int, default=200_000)
    parser.add_argument("--per-post", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database afterwards")
    arguments = parser.parse_args()

    server = Database.from_settings()
    database = build(server, arguments.sections, arguments.per_post)
    with database.connect() as connection:
        major, version = server_version(connection)
        expected_rows = sum(row_counts(connection).values())
    pg_dump = find_tool("pg_dump", major)
    print(f"PostgreSQL {version}; pg_dump {pg_dump.version} ({pg_dump.path}); {expected_rows} rows in all")
    work = Path(tempfile.mkdtemp(prefix="bench-backup-"))
    environment = database.client_environment()
    times: dict[str, list[float]] = {}
    sizes: dict[str, int] = {}

    def bare(format_name: str) -> None:
        output = work / f"bare.{format_name}"
        arguments_ = [str(pg_dump.path), "--no-owner", "--no-privileges", f"--format={format_name}", "-f", str(output)]
        subprocess.run(arguments_, env=environment, check=True)
        sizes[f"pg_dump {format_name}"] = output.stat().st_size
        output.unlink()

    def command(format_name: str) -> None:
        folder = work / f"command-{format_name}"
        manage("pg_backup", "--format", format_name, database=database, BACKUP_DIR=str(folder))
        sizes[f"pg_backup {format_name}"] = sum(path.stat().st_size for path in folder.glob("blog_backup_*"))
        shutil.rmtree(folder)

    def service(format_name: str) -> None:
        folder = work / f"service-{format_name}"
        create_backup(database, BackupRequest(format=format_name, directory=folder, retention_days=14))
        shutil.rmtree(folder)

    cases = {}
    for format_name in ("plain", "custom"):
        cases[f"pg_dump {format_name}"] = lambda f=format_name: bare(f)
        cases[f"pg_backup {format_name} (command)"] = lambda f=format_name: command(f)
        cases[f"pg_backup {format_name} (service)"] = lambda f=format_name: service(f)
    cases["Django start-up (pg_backup --print-crontab)"] = lambda: manage(
        "pg_backup", "--print-crontab", database=database
    )
    names = list(cases)
    ratios: dict[str, list[float]] = {}
    for round_ in range(arguments.repeat):
        order = names[round_ % len(names) :] + names[: round_ % len(names)]  # rotate: no case always first
        this_round = {name: timed(cases[name]) for name in order}
        for name, seconds in this_round.items():
            times.setdefault(name, []).append(seconds)
            if name.startswith("pg_backup"):
                ratios.setdefault(name, []).append(seconds / this_round[f"pg_dump {name.split()[1]}"])
        print(f"round {round_ + 1}/{arguments.repeat} done", flush=True)

    # The machine may be shared: each round's ratio compares runs made seconds apart, and the
    # minimum is the run least disturbed by others.
    print()
    print(f"{'case':<44} {'median s':>9} {'min s':>7} {'ratio (median of rounds)':>25} {'ratio of minima':>16}")
    for name in names:
        line = f"{name:<44} {statistics.median(times[name]):>9.2f} {min(times[name]):>7.2f}"
        if name in ratios:
            minimum_ratio = min(times[name]) / min(times[f"pg_dump {name.split()[1]}"])
            line += f" {statistics.median(ratios[name]):>24.2f}x {minimum_ratio:>15.2f}x"
        print(line)
    for name, size in sizes.items():
        print(f"size of {name}: {size / 1e6:.1f} MB")

    print()
    for format_name in ("plain", "custom"):
        folder = work / f"restore-{format_name}"
        manage("pg_backup", "--format", format_name, database=database, BACKUP_DIR=str(folder))
        dump = next(path for path in folder.glob("blog_backup_*") if not path.name.endswith(".json"))
        target = server.with_name(f"{BENCH_DATABASE}_restored")
        drop_database(server, target.name)
        seconds = timed(lambda d=dump, t=target: manage("pg_restore", str(d), "--target", t.url(), database=database))
        with target.connect() as connection:
            restored_rows = sum(row_counts(connection).values())
        drop_database(server, target.name)
        check = "rows match" if restored_rows == expected_rows else f"ROWS DIFFER ({restored_rows})"
        print(f"restore {format_name:<7} (manage.py pg_restore into a new database): {seconds:.2f} s, {check}")

    print()
    for name in ("pg_backup plain (service)", "pg_backup plain (command)"):
        print(f"{name} / bare pg_dump: {statistics.median(ratios[name]):.2f}x (target <= 1.10x)")
    shutil.rmtree(work)
    if not arguments.keep:
        drop_database(server, BENCH_DATABASE)


if __name__ == "__main__":
    main()
