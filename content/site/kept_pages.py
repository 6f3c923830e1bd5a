"""Pages kept in a process's memory up to a number of bytes, the least recently used going first.

One shape for both copies a process keeps: post pages rendered once per version (``content/site/rendered_posts.py``)
and cached pages in front of the configured cache (``content/site/page_cache.py``).
"""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable


class BoundedPages:
    """Values by key, least recently used first out once their sizes (``size(value)``, in bytes) pass
    ``max_bytes``; a value larger than ``max_bytes`` alone is not kept. Safe for threaded workers."""

    def __init__(self, max_bytes: int, size: Callable[[object], int]):
        self.max_bytes, self.size_of, self.size = max_bytes, size, 0
        self.pages: OrderedDict[Hashable, object] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: Hashable):
        with self.lock:
            value = self.pages.get(key)
            if value is not None:
                self.pages.move_to_end(key)
            return value

    def put(self, key: Hashable, value) -> None:
        size = self.size_of(value)
        with self.lock:
            old = self.pages.pop(key, None)
            if old is not None:
                self.size -= self.size_of(old)
            if size > self.max_bytes:
                return
            self.pages[key] = value
            self.size += size
            while self.size > self.max_bytes:
                self.size -= self.size_of(self.pages.popitem(last=False)[1])

    def clear(self, max_bytes: int | None = None) -> None:
        """Forget every page; with ``max_bytes``, keep up to that many from now on."""
        with self.lock:
            self.pages.clear()
            self.size = 0
            if max_bytes is not None:
                self.max_bytes = max_bytes
