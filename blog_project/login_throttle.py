"""Admin login throttling (django-axes) for logins that come from a web request."""

from axes.backends import AxesStandaloneBackend


class RequestLoginThrottleBackend(AxesStandaloneBackend):
    """Axes' lockout check, skipped when ``authenticate()`` is called without a request.

    Such calls (the test client's ``login()``, scripts) have no client address to throttle;
    axes would raise for them. Every login through the admin's form carries its request.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
