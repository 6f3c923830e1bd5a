"""Servers `make bench` starts and what it measures them with: gunicorn for the site and for the bare floor
(bench/bare_settings.py), wrk (with bench/wrk_report.lua), and ``Floors``, both floors measured around each page."""

from __future__ import annotations

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
LUA = BASE_DIR / "bench" / "wrk_report.lua"
PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(
    env: dict[str, str], port: int, workers: int, *, app: str = "blog_project.wsgi", ready: str = "/_bench/floor/"
) -> subprocess.Popen:
    command = [PYTHON, "-m", "gunicorn", app, "--bind", f"127.0.0.1:{port}"]
    process = subprocess.Popen(
        [*command, "--workers", str(workers), "--log-level", "warning"],
        cwd=BASE_DIR,
        env=env,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{ready}", timeout=2) as response:
                if response.status == 200:
                    return process
        except OSError:
            time.sleep(0.3)
    process.terminate()
    raise SystemExit("gunicorn did not answer within 60 s")


# --- The bare floor: plain Django (startproject's settings and middleware, a trivial view) beside ours ---
BARE_FLOOR_PATHS = ["/floor/"]


def start_bare_floor(port: int, workers: int) -> subprocess.Popen:
    """Gunicorn serving ``bench/bare_settings.py``, as many workers as the site's; it runs all along the
    site's servers, so both floors are measured around every page."""
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    return start_gunicorn(env, port, workers, app="bench.bare_wsgi", ready=BARE_FLOOR_PATHS[0])


class Floors:
    """Both floors, measured before the first page and again after each one: the site's floor view (same
    server and middleware as the pages) and the bare Django floor (its own server). A page's ratios are to the
    mean of each floor just before and just after it, so a burst of other work on this shared machine moves
    both sides of each ratio."""

    def __init__(self, port: int, bare_port: int, floor_paths: list[str], *, seconds: int, connections: int):
        self.port, self.bare_port, self.floor_paths = port, bare_port, floor_paths
        self.seconds, self.connections = max(3, seconds // 2), connections
        self.runs = [wrk(port, floor_paths, seconds=seconds, connections=connections)]
        self.bare_runs = [wrk(bare_port, BARE_FLOOR_PATHS, seconds=seconds, connections=connections)]

    def measure_again(self) -> None:
        self.runs.append(wrk(self.port, self.floor_paths, seconds=self.seconds, connections=self.connections))
        self.bare_runs.append(wrk(self.bare_port, BARE_FLOOR_PATHS, seconds=self.seconds, connections=self.connections))

    def around_last(self) -> tuple[float, float]:
        """The site's floor and the bare floor around the page measured last (mean of the last two runs each)."""
        return (
            (self.runs[-2]["rps"] + self.runs[-1]["rps"]) / 2,
            (self.bare_runs[-2]["rps"] + self.bare_runs[-1]["rps"]) / 2,
        )

    def rows(self, label: str) -> dict[str, dict]:
        """The two floor rows: median of their runs; the site's floor also as a ratio to the bare one."""
        runs, bare_runs = [run["rps"] for run in self.runs], [run["rps"] for run in self.bare_runs]
        floor, bare = statistics.median(runs), statistics.median(bare_runs)
        return {
            f"floor ({label})": {
                **self.runs[0],
                "rps": round(floor, 1),
                "ratio_to_floor": 1.0,
                "ratio_to_bare_floor": round(floor / bare, 3),
                "floor_runs": runs,
            },
            f"bare floor ({label})": {
                **self.bare_runs[0],
                "rps": round(bare, 1),
                "ratio_to_floor": round(bare / floor, 3),
                "ratio_to_bare_floor": 1.0,
                "floor_runs": bare_runs,
            },
        }


def with_ratios(row: dict, floor: float, bare: float) -> dict:
    row["floor_rps"], row["bare_floor_rps"] = round(floor, 1), round(bare, 1)
    row["ratio_to_floor"] = round(row["rps"] / floor, 3)
    row["ratio_to_bare_floor"] = round(row["rps"] / bare, 3)
    return row


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
