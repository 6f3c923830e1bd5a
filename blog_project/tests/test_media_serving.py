"""Media in production over real HTTP: gunicorn with SERVE_MEDIA, and the shipped nginx configuration.

nginx runs only where it is installed: without it the nginx test skips locally and fails in CI
(.ci/run installs Debian's nginx-light).
"""

import gzip
import http.client
import os
import re
import shutil
import subprocess
import time

import pytest

from blog_project.tests.conftest import BASE_DIR
from blog_project.tests.test_serving import Gunicorn, free_port

RENDITION = "images/2026/11/0123456789abcdef0123456789abcdef-0123456789ab-480w.webp"
BODY = os.urandom(50_000)
HTTPS = {"X-Forwarded-Proto": "https"}
# Paths a client may send as they are (http.client does not normalise them); none may leave MEDIA_ROOT.
TRAVERSALS = [
    "/media/../secret.txt",
    "/media/..%2Fsecret.txt",
    "/media/images/..%2F..%2Fsecret.txt",
    "/media/%2e%2e/secret.txt",
    "/media/%2e%2e%2fsecret.txt",
    "/media/..%5csecret.txt",
    "/media//etc/passwd",
    "/media/.hidden",
    "/media/images/",
]


@pytest.fixture
def media_files(production_environment, tmp_path):
    root = tmp_path / "media"
    (root / "images/2026/11").mkdir(parents=True)
    (root / RENDITION).write_bytes(BODY)
    (root / ".hidden").write_text("secret")
    (tmp_path / "secret.txt").write_text("outside MEDIA_ROOT")
    return root


def request(port: int, path: str, headers: dict | None = None, method: str = "GET"):
    client = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    client.request(method, path, headers={"Host": "blog.example.org", **(headers or {})})
    response = client.getresponse()
    body = response.read()
    client.close()
    return response, body


def test_gunicorn_serves_media_itself_with_serve_media(production_environment, media_files):
    server = Gunicorn({**production_environment, "SERVE_MEDIA": "true"})
    try:
        whole, body = request(server.port, "/media/" + RENDITION, HTTPS)
        part, part_body = request(server.port, "/media/" + RENDITION, {**HTTPS, "Range": "bytes=100-199"})
        beyond, _ = request(server.port, "/media/" + RENDITION, {**HTTPS, "Range": "bytes=60000-"})
        cached, cached_body = request(
            server.port, "/media/" + RENDITION, {**HTTPS, "If-None-Match": whole.getheader("ETag")}
        )
        refused = {path: request(server.port, path, HTTPS) for path in [*TRAVERSALS, "/media/%00"]}
    finally:
        server.stop()

    assert whole.status == 200 and body == BODY
    assert whole.getheader("Cache-Control") == "public, max-age=31536000, immutable"
    assert whole.getheader("Content-Type") == "image/webp"
    assert part.status == 206 and part_body == BODY[100:200]
    assert part.getheader("Content-Range") == f"bytes 100-199/{len(BODY)}"
    assert beyond.status == 416 and beyond.getheader("Content-Range") == f"bytes */{len(BODY)}"
    assert cached.status == 304 and cached_body == b""
    for path, (response, response_body) in refused.items():
        assert response.status in (400, 404), path
        assert b"outside MEDIA_ROOT" not in response_body and b"secret" not in response_body, path


def nginx_or_skip() -> str:
    executable = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
    if not executable:
        if os.environ.get("CI"):
            pytest.fail("nginx is not installed; .ci/run installs Debian's nginx-light.")
        pytest.skip("nginx is not installed (apt-get install nginx-light); the proxy test needs it.")
    return executable


def shipped(name: str, replacements: dict[str, str]) -> str:
    """A file of deploy/nginx/ with its placeholders replaced, each of which must be there."""
    text = (BASE_DIR / "deploy" / "nginx" / name).read_text()
    for placeholder, value in replacements.items():
        assert placeholder in text, f"{placeholder} is not in deploy/nginx/{name}"
        text = text.replace(placeholder, value)
    return text


class Nginx:
    """nginx in the foreground with the shipped locations, in front of ``upstream_port``."""

    def __init__(self, executable: str, folder, static_root, media_root, upstream_port: int):
        self.port = free_port()
        locations = folder / "blog-locations.conf"
        locations.write_text(
            shipped(
                "blog-locations.conf",
                {"/srv/blog/var/static/": f"{static_root}/", "/srv/blog/var/media/": f"{media_root}/"},
            )
        )
        temp = "".join(
            f"{kind}_temp_path {folder}/{kind};\n" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        user = "user root;\n" if os.geteuid() == 0 else ""  # workers must read the test's private folders
        config = folder / "nginx.conf"
        config.write_text(
            f"{user}daemon off;\npid {folder}/nginx.pid;\nerror_log {folder}/error.log;\nevents {{}}\n"
            f"http {{\ninclude /etc/nginx/mime.types;\naccess_log off;\n{temp}"
            f"upstream blog_app {{ server 127.0.0.1:{upstream_port}; keepalive 16; }}\n"
            f"server {{ listen 127.0.0.1:{self.port}; server_name blog.example.org; include {locations}; }}\n}}\n"
        )
        self.process = subprocess.Popen(
            [executable, "-c", str(config), "-p", str(folder)], stderr=subprocess.PIPE, text=True
        )
        deadline = time.monotonic() + 20
        while True:
            try:
                request(self.port, "/healthz/live")
                return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise AssertionError(f"nginx did not start: {self.process.stderr.read()}") from None
                time.sleep(0.1)

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)


def test_the_shipped_full_configuration_passes_nginx_t(tmp_path):
    executable = nginx_or_skip()
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=blog.example.org",
         "-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem")],
        check=True, capture_output=True,
    )  # fmt: skip
    (tmp_path / "blog-locations.conf").write_text(shipped("blog-locations.conf", {}))
    site = shipped(
        "blog.conf",
        {
            "/etc/letsencrypt/live/blog.example.org/fullchain.pem": str(tmp_path / "cert.pem"),
            "/etc/letsencrypt/live/blog.example.org/privkey.pem": str(tmp_path / "key.pem"),
            "/etc/nginx/sites-available/blog-locations.conf": str(tmp_path / "blog-locations.conf"),
        },
    )
    (tmp_path / "blog.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\ninclude /etc/nginx/mime.types;\ninclude {tmp_path}/blog.conf;\n}}\n"
    )

    checked = subprocess.run(
        [executable, "-t", "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path)], capture_output=True, text=True
    )

    assert checked.returncode == 0, checked.stderr
    assert "syntax is ok" in checked.stderr


def test_nginx_serves_static_and_media_from_disk_and_the_rest_from_gunicorn(
    production_environment, media_files, tmp_path
):
    executable = nginx_or_skip()
    static_root = tmp_path / "static"
    stylesheet = next(
        path for path in static_root.rglob("site.*.css") if re.fullmatch(r"site\.[0-9a-f]{12}\.css", path.name)
    )
    (tmp_path / "nginx").mkdir()
    server = Gunicorn(production_environment)  # SERVE_MEDIA is off: media come from nginx alone
    proxy = Nginx(executable, tmp_path / "nginx", static_root, media_files, server.port)
    try:
        health, health_body = request(proxy.port, "/healthz/live")
        page, _ = request(proxy.port, "/")
        css, css_body = request(
            proxy.port, "/static/" + str(stylesheet.relative_to(static_root)), {"Accept-Encoding": "gzip"}
        )
        whole, body = request(proxy.port, "/media/" + RENDITION)
        part, part_body = request(proxy.port, "/media/" + RENDITION, {"Range": "bytes=-10"})
        beyond, _ = request(proxy.port, "/media/" + RENDITION, {"Range": "bytes=60000-"})
        cached, _ = request(proxy.port, "/media/" + RENDITION, {"If-None-Match": whole.getheader("ETag")})
        refused = {path: request(proxy.port, path) for path in TRAVERSALS}
    finally:
        proxy.stop()
        server.stop()

    assert health.status == 200 and b'"ok"' in health_body
    assert page.status == 301 and page.getheader("Location") == "https://blog.example.org/"  # Django saw http
    assert css.status == 200 and css.getheader("Content-Encoding") == "gzip"
    assert css.getheader("Cache-Control") == "public, max-age=31536000, immutable"
    assert gzip.decompress(css_body) == stylesheet.read_bytes()
    assert whole.status == 200 and body == BODY
    assert whole.getheader("Cache-Control") == "public, max-age=31536000, immutable"
    assert whole.getheader("Content-Type") == "image/webp"
    assert whole.getheader("X-Content-Type-Options") == "nosniff"
    assert part.status == 206 and part_body == BODY[-10:]
    assert beyond.status == 416
    assert cached.status == 304
    statuses = {path: response.status for path, (response, _) in refused.items()}
    # nginx resolves "/media/../x" (even written %2e%2e or ..%2F) to "/x" itself, which goes to Django, here a
    # redirect to HTTPS; a hidden file is 404, a folder 403 (no listing).
    assert statuses == dict.fromkeys(TRAVERSALS[:5], 301) | dict.fromkeys(TRAVERSALS[5:8], 404) | {TRAVERSALS[8]: 403}
    for path, (_, response_body) in refused.items():
        assert b"outside MEDIA_ROOT" not in response_body and b"secret" not in response_body, path
