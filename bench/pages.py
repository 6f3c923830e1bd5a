"""`make bench` for the readers' pages and the admin.

Starts the site under gunicorn on 127.0.0.1 with production-like settings on a
generated data set (database ``blog_bench``: embedded by default, or the server of
BENCH_DATABASE_URL), drives it with wrk, and prints one table: requests per second and
p50/p95/p99 latency for the floor (a trivial view through the same middleware) and each
page, each also as a ratio to the floor measured just before and just after it. Admin pages are timed
in-process with their query counts. Ends with a load run across the public pages.
Results go to bench/results.json under the key "pages".
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[1]
RESULTS = BASE_DIR / "bench" / "results.json"
LUA = BASE_DIR / "bench" / "wrk_report.lua"
PYTHON = sys.executable


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
    # As after any bulk import or a deploy with new section templates; a no-op when nothing is stale.
    manage(env, "render_html")
    manage(env, "collectstatic", "--noinput", "-v0")


def bench_targets(env: dict[str, str]) -> dict:
    """The paths of each page (``pages``) and of the load run (``load``) in the bench database."""
    code = "from content.bench_data import bench_paths; bench_paths()"
    return json.loads(manage(env, "shell", "-v0", "-c", code, capture=True))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(env: dict[str, str], port: int, workers: int) -> subprocess.Popen:
    command = [PYTHON, "-m", "gunicorn", "blog_project.wsgi", "--bind", f"127.0.0.1:{port}"]
    process = subprocess.Popen(
        [*command, "--workers", str(workers), "--log-level", "warning"],
        cwd=BASE_DIR,
        env=env,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_bench/floor/", timeout=2) as response:
                if response.status == 200:
                    return process
        except OSError:
            time.sleep(0.3)
    process.terminate()
    raise SystemExit("gunicorn did not answer within 60 s")


def wrk(port: int, paths: list[str], *, seconds: int, connections: int, threads: int = 2) -> dict:
    env = {**os.environ, "BENCH_PATHS": " ".join(paths)}
    output = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "-s", str(LUA), f"http://127.0.0.1:{port}"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    line = next(line for line in output.splitlines() if line.startswith("WRK_JSON "))
    data = json.loads(line.removeprefix("WRK_JSON "))
    seconds_run = data["duration_us"] / 1e6
    return {
        "rps": round(data["requests"] / seconds_run, 1),
        "p50_ms": round(data["p50_us"] / 1000, 2),
        "p95_ms": round(data["p95_us"] / 1000, 2),
        "p99_ms": round(data["p99_us"] / 1000, 2),
        "errors": data["socket_errors"] + data["non_2xx_3xx"],
        "timeouts": data["timeouts"],  # counted in errors: no answer within wrk's 2 s
        "requests": data["requests"],
    }


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


def editors_at_work(
    env: dict[str, str], port: int, paths: list[str], floor_paths: list[str], floors: list, args
) -> dict:
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
    floors.append(wrk(port, floor_paths, seconds=max(3, args.seconds // 2), connections=args.connections))
    floor = (floors[-2]["rps"] + floors[-1]["rps"]) / 2
    row["floor_rps"] = round(floor, 1)
    row["ratio_to_floor"] = round(row["rps"] / floor, 3)
    print(
        f"  post_page (cached, editors at work): {row['rps']:.1f} req/s, floor around it {floor:.1f}, "
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
    # Two servers, one after the other: the page cache off (PUBLIC_CACHE_SECONDS=0), then on.
    for label, overrides in (("uncached", {"PUBLIC_CACHE_SECONDS": "0"}), ("cached", {})):
        port = free_port()
        server = start_gunicorn({**env, **overrides}, port, args.workers)
        try:
            # The floor is measured before the first page and again after each one; a page's ratio is
            # to the mean of the floor just before and just after it, so a burst of other work on
            # this shared machine moves both sides of the ratio, not one.
            floor_paths = targets["pages"]["floor"]
            floor_seconds = max(3, args.seconds // 2)
            floors = [wrk(port, floor_paths, seconds=args.seconds, connections=args.connections)]
            rows[f"floor ({label})"] = floors[0]  # first in the table; its figures are set below
            for name, paths in targets["pages"].items():
                if name == "floor" or (label == "cached" and name == "search"):
                    continue  # search results are never cached
                row = wrk(port, paths, seconds=args.seconds, connections=args.connections)
                floors.append(wrk(port, floor_paths, seconds=floor_seconds, connections=args.connections))
                floor = (floors[-2]["rps"] + floors[-1]["rps"]) / 2
                row["floor_rps"] = round(floor, 1)
                row["ratio_to_floor"] = round(row["rps"] / floor, 3)
                rows[name if name == "search" else f"{name} ({label})"] = row
                print(f"  {name} ({label}): {row['rps']:.1f} req/s, floor around it {floor:.1f}", flush=True)
                if name == "search":
                    # The latency one reader sees, without queueing behind the other connections.
                    alone = wrk(port, paths, seconds=args.seconds, connections=1, threads=1)
                    alone["ratio_to_floor"] = round(alone["rps"] / floor, 3)
                    rows["search (1 connection)"] = alone
                    for path in paths:  # each query alone: which words are fast, which are not
                        query = path.split("q=", 1)[1].replace("+", " ")
                        searches[query] = wrk(port, [path], seconds=max(3, args.seconds // 2), connections=1, threads=1)
            if label == "cached":
                rows["post_page (cached, editors at work)"] = editors_at_work(
                    env, port, targets["pages"]["post_page"], floor_paths, floors, args
                )
            runs = [run["rps"] for run in floors]
            rows[f"floor ({label})"] = {**floors[0], "rps": round(statistics.median(runs), 1), "ratio_to_floor": 1.0}
            rows[f"floor ({label})"]["floor_runs"] = runs
            if label == "cached":
                load = load_run(port, server.pid, targets["load"], args.load_seconds, args.load_connections)
        finally:
            server.terminate()
            server.wait(timeout=30)
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
    """The targets of issue 9, each met or not in this run."""
    changelist, change = admin["admin_changelist"], admin["admin_change_50_sections"]
    chooser = admin["admin_image_chooser"]
    return {
        "cached post page >= 0.8x floor": rows["post_page (cached)"]["ratio_to_floor"] >= 0.8,
        "cached post page, editors at work, >= 0.8x floor": (
            rows["post_page (cached, editors at work)"]["ratio_to_floor"] >= 0.8
        ),
        "uncached post page >= 0.3x floor": rows["post_page (uncached)"]["ratio_to_floor"] >= 0.3,
        "search p95 < 50 ms (1 connection)": rows["search (1 connection)"]["p95_ms"] < 50,
        "admin changelist <= 10 queries, < 200 ms": changelist["queries"] <= 10 and changelist["median_ms"] < 200,
        "change page, 50 sections, <= 20 queries": change["queries"] <= 20,
        "change page, 50 sections, < 250 ms": change["median_ms"] < 250,
        "image chooser answers in < 100 ms": chooser["median_ms"] < 100,
        "section preview < 100 ms": admin["admin_preview_section"]["median_ms"] < 100,
        "load run: no errors, RSS growth < 5%": load["errors"] == 0 and load["rss_growth_pct"] < 5,
    }


def print_table(rows: dict, searches: dict, admin: dict, load: dict, targets: dict[str, bool]) -> None:
    print(f"\n{'page':<24}{'req/s':>10}{'ratio':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}")
    for name, row in rows.items():
        print(
            f"{name:<24}{row['rps']:>10.1f}{row['ratio_to_floor']:>8.3f}{row['p50_ms']:>9.2f}"
            f"{row['p95_ms']:>9.2f}{row['p99_ms']:>9.2f}{row['errors']:>8}"
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
