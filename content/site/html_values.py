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


# A long text is first looked at as UTF-8 bytes, where C searches find every character of CONTROLS far faster
# than the regular expression scans (2.3 ms for a 22 KB page): C0 controls and DEL are single bytes, deleted by
# ``bytes.translate``; C1 controls are C2 80-9F; U+FDD0-U+FDEF are EF B7 90-AF; U+FFFE and U+FFFF are EF BF BE
# and EF BF BF, and their copies in planes 1-16 four bytes from F0-F4, the second ?F, ending BF BE or BF BF.
# Only the lead bytes C2, EF and F0-F4 are looked for one by one (memchr), and only where they occur is the rest
# read. A text that holds any control character goes to the expression.
_C0_BYTES = bytes([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
_NONCHARACTER_ENDS = (b"\xbf\xbe", b"\xbf\xbf")
_SHORT = 512  # characters: below this the expression alone is as quick


def _control_at(data: bytes, at: int, lead: int) -> bool:
    if lead == 0xC2:
        return data[at + 1] < 0xA0
    if lead == 0xEF:
        return (data[at + 1] == 0xB7 and 0x90 <= data[at + 2] <= 0xAF) or data[at + 1 : at + 3] in _NONCHARACTER_ENDS
    return data[at + 1] & 0x0F == 0x0F and data[at + 2 : at + 4] in _NONCHARACTER_ENDS  # F0-F4: U+nFFFE, U+nFFFF


def _may_hold_controls(text: str) -> bool:
    data = text.encode("utf-8", "surrogatepass")
    if len(data.translate(None, _C0_BYTES)) != len(data):
        return True
    for lead in (0xC2, 0xEF, 0xF0, 0xF1, 0xF2, 0xF3, 0xF4):
        at = data.find(lead)
        while at != -1:
            if _control_at(data, at, lead):
                return True
            at = data.find(lead, at + 1)
    return False


def strip_controls(text: str) -> str:
    if len(text) >= _SHORT and not _may_hold_controls(text):
        return text
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
