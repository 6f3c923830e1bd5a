"""Media files of MEDIA_ROOT served by Django, for a small site without a proxy in front (SERVE_MEDIA=true).

A proxy (``deploy/nginx/blog.conf``) serves them better; this view gives the same answers: cache
headers (a year, ``immutable``, for names that never change content), ETag and Last-Modified with
304s, single byte ranges (206, 416 when none can be served), and a 404 for anything that is not a
regular file under MEDIA_ROOT: ``..``, hidden names, folders, links leading out, control characters.
"""

from __future__ import annotations

import mimetypes
import re
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.urls import re_path
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, parse_http_date_safe
from django.views.decorators.http import require_safe

# Generated names never get other content: the upload's uuid, or the settings fingerprint of a
# watermarked copy or rendition (media_library/services.py, derivatives.py).
IMMUTABLE_NAME = re.compile(r"^[0-9a-f]{32}[.-]|-[0-9a-f]{12}-\d+w\.webp$|-wm-[0-9a-f]{12}\.[A-Za-z0-9]+$")
IMMUTABLE = "public, max-age=31536000, immutable"
OTHER = "public, max-age=86400"
_BYTES_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
_CHUNK = 64 * 1024


def media_file(path: str, root: Path | None = None) -> Path | None:
    """The regular file ``path`` names under MEDIA_ROOT, or None for anything else."""
    if not path or any(ord(character) < 32 or character == "\x7f" for character in path):
        return None
    parts = path.split("/")
    if any(part in ("", ".", "..") or part.startswith(".") for part in parts):
        return None
    base = Path(root or settings.MEDIA_ROOT).resolve()
    candidate = (base / path).resolve()
    if not candidate.is_relative_to(base) or not candidate.is_file():
        return None
    return candidate


def cache_control(path: Path) -> str:
    return IMMUTABLE if IMMUTABLE_NAME.search(path.name) else OTHER


def byte_range(header: str | None, size: int) -> tuple[int, int] | bool | None:
    """(first, last) of one satisfiable ``bytes`` range; None to send the whole file (no header, a
    syntax we ignore, several ranges); False when the range cannot be satisfied (416)."""
    match = _BYTES_RANGE.match((header or "").strip().replace(" ", ""))
    if not match or match.group(1) == match.group(2) == "":
        return None
    first_text, last_text = match.groups()
    if first_text == "":  # the last N bytes
        length = int(last_text)
        return (max(size - length, 0), size - 1) if length and size else False
    first = int(first_text)
    last = size - 1
    if last_text:
        if int(last_text) < first:
            return None  # bytes=9-3 is invalid: ignored, as RFC 9110 says
        last = min(int(last_text), size - 1)
    return (first, last) if first < size else False


def _if_range_allows(request, etag: str, modified: int) -> bool:
    """If-Range: a range is served only when the client's copy is this very file."""
    condition = request.headers.get("If-Range")
    if condition is None:
        return True
    if condition.startswith('"'):
        return condition == etag
    return parse_http_date_safe(condition) == modified


def _slice(path: Path, first: int, length: int):
    with path.open("rb") as handle:
        handle.seek(first)
        while length > 0:
            chunk = handle.read(min(_CHUNK, length))
            if not chunk:
                return
            length -= len(chunk)
            yield chunk


@require_safe
def serve_media(request, path: str):
    found = media_file(path)
    if found is None:
        raise Http404("No such media file.")
    stat = found.stat()
    size, modified = stat.st_size, int(stat.st_mtime)
    etag = f'"{stat.st_mtime_ns:x}-{size:x}"'
    headers = {
        "Cache-Control": cache_control(found),
        "ETag": etag,
        "Last-Modified": http_date(modified),
        "Accept-Ranges": "bytes",
    }
    content_type = mimetypes.guess_type(found.name)[0] or "application/octet-stream"
    answer = get_conditional_response(request, etag=etag, last_modified=modified, response=None)
    if answer is not None:  # 304 Not Modified or 412 Precondition Failed
        for name, value in headers.items():
            answer.headers.setdefault(name, value)
        return answer
    wanted = byte_range(request.headers.get("Range"), size) if _if_range_allows(request, etag, modified) else None
    if wanted is False:
        return HttpResponse(status=416, headers={**headers, "Content-Range": f"bytes */{size}"})
    head = request.method == "HEAD"
    if wanted is None:
        if head:
            return HttpResponse(headers={**headers, "Content-Type": content_type, "Content-Length": str(size)})
        response = FileResponse(found.open("rb"), content_type=content_type)
        for name, value in headers.items():
            response[name] = value
        return response
    first, last = wanted
    length = last - first + 1
    range_headers = {
        **headers,
        "Content-Type": content_type,
        "Content-Length": str(length),
        "Content-Range": f"bytes {first}-{last}/{size}",
    }
    if head:
        return HttpResponse(status=206, headers=range_headers)
    return StreamingHttpResponse(_slice(found, first, length), status=206, headers=range_headers)


def media_urlpatterns() -> list:
    """The route of ``serve_media`` under MEDIA_URL (a local path such as ``/media/``)."""
    prefix = re.escape(settings.MEDIA_URL.lstrip("/"))
    return [re_path(rf"^{prefix}(?P<path>.*)$", serve_media, name="media")]
