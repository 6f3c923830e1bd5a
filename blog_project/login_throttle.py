"""Admin login throttling (django-axes) for logins that come from a web request.

Lockouts are per user name and client address, so the address must be the client's and must not be
choosable by the client. ``client_ip`` (axes' ``AXES_CLIENT_IP_CALLABLE``) takes ``REMOTE_ADDR``;
behind ``TRUSTED_PROXY_COUNT`` proxies it takes the address the outermost trusted proxy appended to
``X-Forwarded-For`` (the N-th from the right). Whatever a client wrote into that header itself stands
further left and is never read, so forged headers neither lock anyone else out nor dodge a lockout.
"""

from __future__ import annotations

import ipaddress

from axes.backends import AxesStandaloneBackend
from django.conf import settings


def client_ip(request) -> str | None:
    remote = request.META.get("REMOTE_ADDR") or None
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    if len(hops) < count:  # the request did not pass through every proxy: nothing in the header is ours
        return remote
    return _address(hops[-count]) or remote


def _address(hop: str) -> str | None:
    """The IP address of one X-Forwarded-For entry (``1.2.3.4``, ``1.2.3.4:5678``, ``[2001:db8::1]:443``)."""
    candidates = [hop]
    if hop.startswith("[") and "]" in hop:
        candidates.append(hop[1 : hop.index("]")])
    elif hop.count(":") == 1:
        candidates.append(hop.split(":", 1)[0])
    for candidate in candidates:
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            continue
    return None


class RequestLoginThrottleBackend(AxesStandaloneBackend):
    """Axes' lockout check, skipped when ``authenticate()`` is called without a request.

    Such calls (the test client's ``login()``, scripts) have no client address to throttle;
    axes would raise for them. Every login through the admin's form carries its request.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
