"""Values that stay valid in HTML whatever was stored: text without forbidden characters, URLs a
checker accepts, text cut at a word boundary. Standard library only (``content.search`` uses it)."""

import ipaddress
import re
from urllib.parse import quote, unquote

# Characters HTML text may not hold: controls other than white space, and noncharacters (more than
# common.text's, which are XML 1.0's: HTML also forbids C1 controls and noncharacters).
CONTROLS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff"
    + "".join(f"{chr(plane << 16 | 0xFFFE)}{chr(plane << 16 | 0xFFFF)}" for plane in range(1, 17))
    + "]"
)
_LONE_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_URL_SAFE = "!$&'()*+,-./:;=?@_~%"
_HOST_LABEL = re.compile(r"[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")


def strip_controls(text: str) -> str:
    return CONTROLS.sub("", text)


def _host(host: str) -> str | None:
    """A host as the URL standard accepts it (IDNA-encoded when not ASCII), else None."""
    host = unquote(host).lower().rstrip(".")
    if host.startswith("[") and host.endswith("]"):
        try:
            return f"[{ipaddress.IPv6Address(host[1:-1]).compressed}]"
        except ValueError:
            return None
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            return None
    labels = host.split(".")
    if not host or not all(_HOST_LABEL.fullmatch(label) for label in labels):
        return None
    if labels[-1].isdigit():  # a host ending in a number must be an IPv4 address
        try:
            ipaddress.IPv4Address(host)
        except ValueError:
            return None
    return host


def _encode(text: str) -> str:
    """A URL's path, query and fragment with what may not stand in them percent-encoded."""
    text, hash_, fragment = text.partition("#")
    text = quote(_LONE_PERCENT.sub("%25", text), safe=_URL_SAFE)
    return text + (hash_ + quote(_LONE_PERCENT.sub("%25", fragment), safe=_URL_SAFE) if hash_ else "")


def clean_url(url: str, schemes=("http", "https", "mailto")) -> str | None:
    """``url`` percent-encoded where it must be so that it is a valid URL, or None when it cannot
    be one: a scheme not in ``schemes``, an invalid host or port. Relative URLs are kept."""
    url = re.sub(r"[\t\n\r]", "", url.strip(" \t\n\r\x0c"))
    match = _SCHEME.match(url)
    scheme = match.group(1).lower() if match else ""
    rest = url[match.end() :] if match else url
    prefix = f"{scheme}:" if scheme else ""
    if scheme and scheme not in schemes:
        return None
    if not rest.startswith("//"):
        return prefix + _encode(rest) if scheme in ("", "mailto") else None
    end = min((index for index in map(rest.find, "/?#", (2, 2, 2)) if index >= 0), default=len(rest))
    authority, tail = rest[2:end], rest[end:]
    host, port = authority, ""
    if ":" in authority and not authority.endswith("]"):
        host, _, port = authority.rpartition(":")
    valid_port = not port or (port.isdigit() and int(port) <= 65535)
    host = _host(host) if "@" not in authority and valid_port else None
    if host is None:
        return None
    return f"{prefix}//{host}{f':{int(port)}' if port else ''}{_encode(tail)}"


_CUT_PUNCTUATION = " ,;:.-\u2013\u2014"  # not left before an ellipsis


def cut_at_word(text: str, limit: int, ellipsis: str = "…") -> str:
    """``text`` if it fits in ``limit`` characters, else its longest start that ends a word and
    fits with ``ellipsis`` (a single word longer than that is cut)."""
    if len(text) <= limit:
        return text
    room = limit - len(ellipsis)
    head = text[:room]
    if not (text[room].isspace() or head[-1:].isspace()) and len(head.split(None, 1)) > 1:
        head = head.rsplit(None, 1)[0]  # the cut fell inside a word: leave it out
    return (head.rstrip(_CUT_PUNCTUATION) or text[:room]) + ellipsis
