"""`make bench` for the readers' pages and the admin.

Starts the site under gunicorn on 127.0.0.1 with production-like settings on a
generated data set (database ``blog_bench``: embedded by default, or the server of
BENCH_DATABASE_URL), drives it with wrk, and prints one table: requests per second and
p50/p95/p99 latency for the floor (a trivial view through the same middleware), the bare floor (plain
Django: startproject's settings and middleware, a trivial view, bench/bare_settings.py, served beside the
site) and each page, each as a ratio to both floors measured just before and just after it. Admin pages are
timed in-process with their query counts. Ends with a load run across the public pages.
Results go to bench/results.json under the key "pages".
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[1]
RESULTS = BASE_DIR / "bench" / "results.json"
sys.path.insert(0, str(BASE_DIR))  # run as `python bench/pages.py`: the package `bench` is then found

from bench.serving import PYTHON, Floors, free_port, start_bare_floor, start_gunicorn, with_ratios, wrk  # noqa: E402


def bench_environment() -> dict[str, str]:
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "bench-" + "x" * 60,
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "BENCH_FLOOR_VIEW": "true",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "LOG_LEVEL": "ERROR",
        "SLOW_QUERY_MS": "0",
        "CONN_MAX_AGE": "60",  # persistent connections, as in production
    }
    if os.environ.get("BENCH_DATABASE_URL"):
        env["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
    else:
        env.pop("DATABASE_URL", None)
        env["EMBEDDED_DATABASE_NAME"] = "blog_bench"
    return env


def manage(env: dict[str, str], *args: str, capture: bool = False) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=BASE_DIR, env=env, check=True, text=True, capture_output=capture
    )
    return result.stdout if capture else ""


def prepare_database(env: dict[str, str], posts: int) -> None:
    manage(env, "migrate", "--noinput", "-v0")
    count = int(
        manage(env, "shell", "-v0", "-c", "from content.models import Post; print(Post.objects.count())", capture=True)
    )
    if count < posts:
        print(f"Seeding {posts - count:,} posts into the bench database…", flush=True)
        manage(env, "seed_bench", "--posts", str(posts - count))
        # What autovacuum does on a live site: statistics and the visibility map (index-only scans).
        vacuum = "from django.db import connection; connection.cursor().execute('VACUUM ANALYZE')"
        manage(env, "shell", "-v0", "-c", vacuum)
    has_long_post = "from content.bench_data import long_post_of_bench; print(long_post_of_bench() is not None)"
    if manage(env, "shell", "-v0", "-c", has_long_post, capture=True).strip() != "True":
        print("Adding a post with 200 sections to the bench database…", flush=True)  # seeded before it had one
        manage(env, "seed_bench", "--posts", "1")
    # As after any bulk import or a deploy with new section templates; a no-op when nothing is stale.
    manage(env, "render_html")
    manage(env, "collectstatic", "--noinput", "-v0")


def bench_targets(env: dict[str, str]) -> dict:
    """The paths of each page (``pages``) and of the load run (``load``) in the bench database."""
    code = "from content.bench_data import bench_paths; bench_paths()"
    return json.loads(manage(env, "shell", "-v0", "-c", code, capture=True))


def rss_of_tree(pid: int) -> int:
    import psutil

    parent = psutil.Process(pid)
    return sum(process.memory_info().rss for process in [parent, *parent.children(recursive=True)])


def load_run(port: int, server_pid: int, paths: list[str], seconds: int, connections: int) -> dict:
    """A long run across the public pages while sampling the server's memory."""
    import threading

    samples: list[tuple[float, int]] = []
    stop = threading.Event()

    def sample():
        started = time.monotonic()
        while not stop.wait(1.0):
            samples.append((time.monotonic() - started, rss_of_tree(server_pid)))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    result = wrk(port, paths, seconds=seconds, connections=connections)
    stop.set()
    sampler.join()
    settled = [rss for at, rss in samples if at >= seconds * 0.25] or [rss for _, rss in samples]
    result.update(
        seconds=seconds,
        connections=connections,
        rss_mb_after_warmup=round(settled[0] / 2**20, 1),
        rss_mb_end=round(settled[-1] / 2**20, 1),
        rss_growth_pct=round(100 * (settled[-1] - settled[0]) / settled[0], 1),
    )
    return result


def page_etag(port: int, path: str) -> str | None:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as response:
        return response.headers["ETag"]


def editors_at_work(env: dict[str, str], port: int, paths: list[str], floors: Floors, args) -> dict:
    """The cached post page while editors work (bench/concurrent_writes.py: a draft saved every second, a change
    to another live post published every 10 s), as a ratio to the floor measured before it and just after."""
    spare = paths[0].rstrip("/").rsplit("/", 1)[-1]
    etag_before = page_etag(port, paths[0])
    writer = subprocess.Popen(
        [PYTHON, str(BASE_DIR / "bench" / "concurrent_writes.py"), "--spare", spare],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        if writer.stdout.readline().strip() != "WRITER_READY":
            raise SystemExit("bench/concurrent_writes.py did not start")
        row = wrk(port, paths, seconds=max(args.seconds, 10), connections=args.connections)
    finally:
        writer.terminate()
        output, _ = writer.communicate(timeout=60)
    line = next((line for line in output.splitlines() if line.startswith("WRITES_JSON ")), "WRITES_JSON {}")
    row["writes"] = json.loads(line.removeprefix("WRITES_JSON "))
    row["page_key_kept"] = page_etag(port, paths[0]) == etag_before  # no save changed the measured page's key
    floors.measure_again()
    floor, bare = floors.around_last()
    with_ratios(row, floor, bare)
    print(
        f"  post_page (cached, editors at work): {row['rps']:.1f} req/s, floor around it {floor:.1f}, bare {bare:.1f}, "
        f"writes {row['writes']}, page key kept: {row['page_key_kept']}",
        flush=True,
    )
    return row


def admin_figures(env: dict[str, str]) -> dict:
    """Changelist, change-page and image chooser time (median of 5) and query count, in-process."""
    os.environ.update(env)
    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "blog_project.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from content.bench_data import post_with_sections

    user, _ = get_user_model().objects.get_or_create(
        username="bench-admin", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client()
    client.force_login(user)
    post = post_with_sections(50)
    figures = {}
    for name, url in [
        ("admin_changelist", reverse("admin:content_post_changelist")),
        ("admin_change_50_sections", reverse("admin:content_post_change", args=[post.pk])),
        ("admin_image_chooser", reverse("admin:media_library_image_chooser") + "?results=1&q=photo&shape=landscape"),
    ]:
        client.get(url)  # warm up
        times = []
        for _ in range(5):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        figures[name] = {"median_ms": round(statistics.median(times), 1), "queries": len(queries)}
    figures["admin_preview_section"] = preview_figure(client)
    return figures


def preview_figure(client) -> dict:
    """The change form's live preview of one text section of some 1,000 words (a POST of its fields, as the
    page's script sends them): time (median of 5) and query count, in-process like the other admin figures."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    part = "## Part {n}\n\nSome *Markdown* with [a link](https://example.org/{n}), `code` and a list:\n\n- a\n- b\n\n"
    fields = {"content_type": "text", "title": "Preview", "content": "".join(part.format(n=n) for n in range(70))}
    url, body = reverse("admin:content_post_preview_section"), json.dumps(fields)
    client.post(url, body, content_type="application/json")  # warm up
    times = []
    for _ in range(5):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.post(url, body, content_type="application/json")
            times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return {"median_ms": round(statistics.median(times), 1), "queries": len(queries)}


def write_results(key: str, value: dict) -> None:
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results[key] = value
    RESULTS.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")


def measure_pages(
    env: dict[str, str], port: int, bare_port: int, pages: dict[str, list[str]], label: str, args, searches: dict
) -> dict[str, dict]:
    """Each page of one server, between runs of both floors (``Floors``); the floors' rows come first."""
    floors = Floors(port, bare_port, pages["floor"], seconds=args.seconds, connections=args.connections)
    rows: dict[str, dict] = {f"floor ({label})": {}, f"bare floor ({label})": {}}  # first in the table
    for name, paths in pages.items():
        if name == "floor" or (label == "cached" and name == "search"):
            continue  # search results are never cached
        row = wrk(port, paths, seconds=args.seconds, connections=args.connections)
        floors.measure_again()
        floor, bare = floors.around_last()
        rows[name if name == "search" else f"{name} ({label})"] = with_ratios(row, floor, bare)
        print(f"  {name} ({label}): {row['rps']:.1f} req/s, floor around it {floor:.1f}, bare {bare:.1f}", flush=True)
        if name == "search":
            # The latency one reader sees, without queueing behind the other connections.
            alone = wrk(port, paths, seconds=args.seconds, connections=1, threads=1)
            rows["search (1 connection)"] = with_ratios(alone, floor, bare)
            for path in paths:  # each query alone: which words are fast, which are not
                query = path.split("q=", 1)[1].replace("+", " ")
                searches[query] = wrk(port, [path], seconds=max(3, args.seconds // 2), connections=1, threads=1)
    if label == "cached":
        rows["post_page (cached, editors at work)"] = editors_at_work(env, port, pages["post_page"], floors, args)
    rows.update(floors.rows(label))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--seconds", type=int, default=10, help="per page")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=int(os.environ.get("BENCH_WORKERS", "4")))
    parser.add_argument("--load-seconds", type=int, default=60)
    parser.add_argument("--load-connections", type=int, default=64)
    args = parser.parse_args()

    env = bench_environment()
    prepare_database(env, args.posts)
    targets = bench_targets(env)
    rows: dict[str, dict] = {}
    searches: dict[str, dict] = {}
    load: dict = {}
    bare_port = free_port()
    bare_server = start_bare_floor(bare_port, args.workers)
    try:
        # Two servers, one after the other: the page cache off (PUBLIC_CACHE_SECONDS=0), then on; the bare floor
        # runs beside both.
        for label, overrides in (("uncached", {"PUBLIC_CACHE_SECONDS": "0"}), ("cached", {})):
            port = free_port()
            server = start_gunicorn({**env, **overrides}, port, args.workers)
            try:
                rows.update(measure_pages(env, port, bare_port, targets["pages"], label, args, searches))
                if label == "cached":
                    load = load_run(port, server.pid, targets["load"], args.load_seconds, args.load_connections)
            finally:
                server.terminate()
                server.wait(timeout=30)
    finally:
        bare_server.terminate()
        bare_server.wait(timeout=30)
    admin = admin_figures(env)
    targets = check_targets(rows, admin, load)
    write_results(
        "pages",
        {
            "pages": rows,
            "search_queries": searches,
            "admin": admin,
            "load": load,
            "targets": targets,
            "posts": args.posts,
            "workers": args.workers,
        },
    )
    print_table(rows, searches, admin, load, targets)


def check_targets(rows: dict, admin: dict, load: dict) -> dict[str, bool]:
    """The targets of issues 9 and 18, each met or not in this run."""
    changelist, change = admin["admin_changelist"], admin["admin_change_50_sections"]
    chooser = admin["admin_image_chooser"]
    return {
        "cached post page >= 0.8x floor": rows["post_page (cached)"]["ratio_to_floor"] >= 0.8,
        "cached post page, editors at work, >= 0.8x floor": (
            rows["post_page (cached, editors at work)"]["ratio_to_floor"] >= 0.8
        ),
        "cached post page, editors at work, >= 0.8x bare floor": (
            rows["post_page (cached, editors at work)"]["ratio_to_bare_floor"] >= 0.8
        ),
        "uncached post page >= 0.3x floor": rows["post_page (uncached)"]["ratio_to_floor"] >= 0.3,
        "cached post page >= 0.8x bare floor": rows["post_page (cached)"]["ratio_to_bare_floor"] >= 0.8,
        "uncached post page >= 0.3x bare floor": rows["post_page (uncached)"]["ratio_to_bare_floor"] >= 0.3,
        "uncached post page, 200 sections, >= 0.1x bare floor": (
            rows["post_page_200 (uncached)"]["ratio_to_bare_floor"] >= 0.1
        ),
        "search p95 < 50 ms (1 connection)": rows["search (1 connection)"]["p95_ms"] < 50,
        "admin changelist <= 10 queries, < 200 ms": changelist["queries"] <= 10 and changelist["median_ms"] < 200,
        "change page, 50 sections, <= 20 queries": change["queries"] <= 20,
        "change page, 50 sections, < 250 ms": change["median_ms"] < 250,
        "image chooser answers in < 100 ms": chooser["median_ms"] < 100,
        "section preview < 100 ms": admin["admin_preview_section"]["median_ms"] < 100,
        "load run: no errors, RSS growth < 5%": load["errors"] == 0 and load["rss_growth_pct"] < 5,
    }


def print_table(rows: dict, searches: dict, admin: dict, load: dict, targets: dict[str, bool]) -> None:
    print(f"\n{'page':<26}{'req/s':>10}{'ratio':>8}{'bare':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}")
    for name, row in rows.items():
        print(
            f"{name:<26}{row['rps']:>10.1f}{row['ratio_to_floor']:>8.3f}{row['ratio_to_bare_floor']:>8.3f}"
            f"{row['p50_ms']:>9.2f}{row['p95_ms']:>9.2f}{row['p99_ms']:>9.2f}{row['errors']:>8}"
        )
    for name, row in rows.items():
        if "floor_runs" in row:
            print(f"  {name} runs, one before each page and one after the last: {row['floor_runs']} req/s")
    for query, row in searches.items():
        print(f"  search {query!r:<22} p50 {row['p50_ms']:.1f} ms, p95 {row['p95_ms']:.1f} ms (1 connection)")
    for name, figure in admin.items():
        print(f"{name:<24}{figure['median_ms']:>10.1f} ms (median), {figure['queries']} queries")
    print(
        f"load run: {load['seconds']} s at {load['connections']} connections: {load['rps']:.1f} req/s, "
        f"p99 {load['p99_ms']} ms, {load['errors']} errors ({load['timeouts']} timeouts), "
        f"RSS {load['rss_mb_after_warmup']} -> {load['rss_mb_end']} MB ({load['rss_growth_pct']:+.1f}%)"
    )
    for target, met in targets.items():
        print(f"{'met    ' if met else 'MISSED '} {target}")


if __name__ == "__main__":
    main()
