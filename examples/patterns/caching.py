"""20.11 Caching: keep a slow result for a while in a cache object.

Changes for today's Werkzeug: ``werkzeug.contrib.cache`` (``SimpleCache``,
``MemcachedCache``, ``GAEMemcachedCache``) was removed in Werkzeug 1.0; its
successor is the separate ``cachelib`` package, which is not a dependency
here. ``SimpleCache`` below is a minimal in-memory stand-in with the same
``get``/``set(key, value, timeout=...)`` interface the manual uses. The
memcached and App Engine back ends need those services and are not shown.
"""

import threading
import time

from flask import Flask


class SimpleCache:
    """Keep items in this process's memory; ``timeout`` is in seconds
    (0 means forever). ``get`` returns None for a missing or expired key."""

    def __init__(self, default_timeout=300, clock=time.monotonic):
        self.default_timeout = default_timeout
        self.clock = clock
        self._items = {}
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            expires, value = item
            if expires and expires <= self.clock():
                del self._items[key]
                return None
            return value

    def set(self, key, value, timeout=None):
        if timeout is None:
            timeout = self.default_timeout
        expires = self.clock() + timeout if timeout else 0
        with self._lock:
            self._items[key] = (expires, value)
        return True

    def delete(self, key):
        with self._lock:
            return self._items.pop(key, None) is not None

    def clear(self):
        with self._lock:
            self._items.clear()
        return True


cache = SimpleCache()
calculations = []  # how often the slow function really ran


def calculate_value():
    calculations.append(time.time())
    return f"value #{len(calculations):d}"


def get_my_item():
    rv = cache.get("my-item")
    if rv is None:
        rv = calculate_value()
        cache.set("my-item", rv, timeout=5 * 60)
    return rv


app = Flask(__name__)


@app.route("/")
def index():
    return get_my_item()
