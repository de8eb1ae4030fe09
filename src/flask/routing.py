"""Binding the URL map to requests, with the per-host work done once.

Binding is most of the cost of matching a URL: Werkzeug works out the
host, scheme, server name and subdomain from the environ on every call.
Those depend only on a few environ keys and the app's config, so the
result is cached per host, scheme and script root, and each request only
adds its path, method and query string.
"""

from __future__ import annotations

import typing as t

from werkzeug.routing import MapAdapter
from werkzeug.wsgi import get_host

if t.TYPE_CHECKING:  # pragma: no cover
    from _typeshed.wsgi import WSGIEnvironment

    from .sansio.app import App

#: Distinct hosts cached at most: Host headers come from clients, so the
#: cache is bounded and starts over when full.
_MAX_ENTRIES = 64

_Binding = tuple[str, str, "str | None", str]


def _wsgi_str(value: str) -> str:
    """Decode a PEP 3333 "bytes as latin-1" environ string as UTF-8."""
    if value.isascii():
        return value
    return value.encode("latin1").decode(errors="replace")


class _AdapterCache:
    """Creates the MapAdapter of each request from a cached binding."""

    def __init__(
        self, app: App, bind_uncached: t.Callable[[WSGIEnvironment], MapAdapter]
    ) -> None:
        self.app = app
        self._bind_uncached = bind_uncached
        self._bindings: dict[tuple[t.Any, ...], _Binding] = {}

    def bind(
        self, environ: WSGIEnvironment, trusted_hosts: list[str] | None
    ) -> MapAdapter:
        """The adapter for ``environ``; a 400 for an untrusted or invalid
        host (raised by Werkzeug as ``SecurityError``/``BadHost``)."""
        config = self.app.config
        key = (
            environ.get("HTTP_HOST"),
            environ.get("SERVER_NAME"),
            environ.get("SERVER_PORT"),
            environ["wsgi.url_scheme"],
            environ.get("SCRIPT_NAME"),
            environ.get("HTTP_UPGRADE"),
            environ.get("HTTP_CONNECTION"),
            config["SERVER_NAME"],
            tuple(trusted_hosts) if trusted_hosts is not None else None,
            self.app.subdomain_matching,
        )
        binding = self._bindings.get(key)
        if binding is None:
            # Validates the host against trusted_hosts (a 400 if not).
            get_host(environ, trusted_hosts)
            adapter = self._bind_uncached(environ)
            binding = (
                adapter.server_name,
                adapter.script_name,
                adapter.subdomain,
                adapter.url_scheme,
            )
            # A mismatched server name warns on every request: don't cache.
            if adapter.subdomain != "<invalid>":
                if len(self._bindings) >= _MAX_ENTRIES:
                    self._bindings.clear()
                self._bindings[key] = binding
            return adapter
        path = environ.get("PATH_INFO")
        query = environ.get("QUERY_STRING")
        return MapAdapter(
            self.app.url_map,
            binding[0],
            binding[1],
            binding[2],
            binding[3],
            _wsgi_str(path) if path is not None else "/",
            environ["REQUEST_METHOD"],
            _wsgi_str(query) if query is not None else None,
        )
