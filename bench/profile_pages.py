"""`make bench-profile`: where a page's time goes, in-process, without the load generator.

Calls the WSGI application directly (no gunicorn, no network) on the benchmark database with
the benchmark's settings, measures the CPU time of this process per request for the floor and
each page, with the page cache off and on, and writes a pyinstrument profile of each uncached
page to bench/profiles/<page>.txt. Post pages are rendered once per version of their rows
(content/site/rendered_posts.py), so they also get a "first" figure and profile (<page>-first.txt): the
page rendered anew on every request, as after each edit. The CPU ratios are steadier than wrk's on a
busy machine; they leave out the database server's own work.
"""

from __future__ import annotations

import io
import os
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[1]
PROFILES = BASE_DIR / "bench" / "profiles"
PROFILED_REQUESTS = 100
sys.path.insert(0, str(BASE_DIR))

from bench.pages import bench_environment, bench_targets  # noqa: E402


def wsgi_get(handler, path: str) -> int:
    status = []
    path, _, query = path.partition("?")
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "HTTP_HOST": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
    }
    body = handler(environ, lambda line, headers: status.append(line))
    b"".join(body)
    body.close()
    return int(status[0].split()[0])


def first_rendering(path: str):
    """A request that renders the page anew (``rendered_posts`` forgets it first), as the first one after an edit."""
    from content.site import rendered_posts

    def get(handler, path: str) -> int:
        rendered_posts.kept.clear()
        return wsgi_get(handler, path)

    return get


def cpu_ms_per_request(handler, path: str, requests: int, get=wsgi_get) -> float:
    for _ in range(20):
        assert get(handler, path) == 200, path
    started = time.process_time()
    for _ in range(requests):
        get(handler, path)
    return (time.process_time() - started) / requests * 1000


def main() -> None:
    env = bench_environment()
    targets = bench_targets(env)["pages"]
    requests = int(os.environ.get("BENCH_PROFILE_REQUESTS", "300"))
    os.environ.update(env, DJANGO_SETTINGS_MODULE="blog_project.settings")
    import django

    django.setup()
    from django.core.handlers.wsgi import WSGIHandler
    from django.test import override_settings
    from pyinstrument import Profiler

    handler = WSGIHandler()
    PROFILES.mkdir(exist_ok=True)
    header = f"{'page':<22}{'uncached ms':>12}{'ratio':>8}{'cached ms':>11}{'ratio':>8}{'first ms':>10}"
    print(header + "   (CPU of this process per request)")
    floor = None
    for name, paths in targets.items():
        path = paths[0]
        with override_settings(PUBLIC_CACHE_SECONDS=0):
            uncached = cpu_ms_per_request(handler, path, requests)
            if name != "floor":
                profiler = Profiler(interval=0.001)
                with profiler:
                    for _ in range(PROFILED_REQUESTS):
                        wsgi_get(handler, path)
                (PROFILES / f"{name}.txt").write_text(profiler.output_text(unicode=True, show_all=False))
            first = ""
            if name.startswith("post_page"):
                get = first_rendering(path)
                first = f"{cpu_ms_per_request(handler, path, max(20, requests // 5), get):>10.3f}"
                profiler = Profiler(interval=0.001)
                with profiler:
                    for _ in range(PROFILED_REQUESTS // 2):
                        get(handler, path)
                (PROFILES / f"{name}-first.txt").write_text(profiler.output_text(unicode=True, show_all=False))
        cached = cpu_ms_per_request(handler, path, requests)
        floor = floor or (uncached, cached)
        print(
            f"{name:<22}{uncached:>12.3f}{floor[0] / uncached:>8.3f}{cached:>11.3f}{floor[1] / cached:>8.3f}{first}",
            flush=True,
        )
    print(f"Profiles of the uncached pages: {PROFILES.relative_to(BASE_DIR)}/<page>.txt")


if __name__ == "__main__":
    main()
