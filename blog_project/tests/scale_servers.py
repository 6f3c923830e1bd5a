"""Processes as production runs them, for the metrics and scale tests: gunicorn instances and task workers.

Each writes its output to a log file (shown when an assertion fails). ``WebInstance`` speaks HTTP as a
browser behind the TLS proxy would: ``X-Forwarded-Proto: https``, the site's host name, its cookies.
"""

from __future__ import annotations

import http.client
import http.cookies
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

from blog_project.tests.conftest import BASE_DIR
from blog_project.tests.fault_servers import free_port

HOST = "blog.example.org"


class WebInstance:
    """gunicorn with its settings module, as `make serve` starts it, with ``workers`` workers on a free port."""

    def __init__(self, environment: dict, log: Path, *, workers: int = 1):
        self.port = free_port()
        self.log = log
        self.cookies: dict[str, str] = {}
        with log.open("ab") as output:
            self.process = subprocess.Popen(
                [
                    *(str(BASE_DIR / ".venv" / "bin" / "gunicorn"), "-c", "blog_project/gunicorn_conf.py"),
                    *("blog_project.wsgi", "--workers", str(workers)),
                    *("--bind", f"127.0.0.1:{self.port}", "--timeout", "60"),
                ],
                cwd=BASE_DIR,
                env=environment,
                stdout=output,
                stderr=subprocess.STDOUT,
            )

    def wait_until_serving(self, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while True:
            try:
                if self.request("GET", "/healthz/live")[0].status == 200:
                    return
            except OSError:
                pass
            assert self.process.poll() is None and time.monotonic() < deadline, self.log.read_text()[-3000:]
            time.sleep(0.2)

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        cookie = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        sent = {"Host": HOST, "X-Forwarded-Proto": "https", **({"Cookie": cookie} if cookie else {})}
        try:
            connection.request(method, path, body=body, headers={**sent, **(headers or {})})
            response = connection.getresponse()
            content = response.read()
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in http.cookies.SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response, content

    def get(self, path: str, headers: dict | None = None):
        return self.request("GET", path, headers=headers)

    def post(self, path: str, fields: dict[str, str], files: dict[str, tuple[str, bytes, str]] | None = None):
        """A form, with the CSRF token this client holds; ``files``: field -> (name, content, type)."""
        boundary = uuid.uuid4().hex
        parts = []
        for name, text in {"csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), **fields}.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{text}\r\n'.encode())
        for name, (filename, content, content_type) in (files or {}).items():
            head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            parts.append(f"{head}Content-Type: {content_type}\r\n\r\n".encode() + content + b"\r\n")
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        headers = {
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Origin": f"https://{HOST}",
            "Referer": f"https://{HOST}{path}",
        }
        return self.request("POST", path, body=body, headers=headers)

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        return [int(pid) for pid in children]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


class TaskWorker:
    """``manage.py run_worker`` with a worker id of its own (``lease-<worker_id>`` in the task rows)."""

    def __init__(self, environment: dict, log: Path, worker_id: str, queues: str = "default"):
        self.worker_id = worker_id
        self.log = log
        with log.open("ab") as output:
            self.process = subprocess.Popen(
                [
                    *(sys.executable, "manage.py", "run_worker", "--queue-name", queues, "--worker-id", worker_id),
                    *("--interval", "0.2", "--no-startup-delay", "--no-reload"),
                ],
                cwd=BASE_DIR,
                env=environment,
                stdout=output,
                stderr=subprocess.STDOUT,
            )

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=10)
