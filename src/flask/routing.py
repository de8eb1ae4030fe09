"""Binding the URL map to requests, matching them and building URLs, with
repeated work done once.

Binding is most of the cost of matching a URL: Werkzeug works out the
host, scheme, server name and subdomain from the environ on every call.
Those depend only on a few environ keys and the app's config, so the
result is cached per host, scheme and script root, and each request only
adds its path, method and query string.
"""

from __future__ import annotations

import typing as t
from uuid import UUID

from werkzeug.exceptions import BadRequest
from werkzeug.exceptions import NotFound
from werkzeug.routing import AnyConverter
from werkzeug.routing import FloatConverter
from werkzeug.routing import IntegerConverter
from werkzeug.routing import Map
from werkzeug.routing import MapAdapter
from werkzeug.routing import PathConverter
from werkzeug.routing import Rule
from werkzeug.routing import UnicodeConverter
from werkzeug.routing import UUIDConverter
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
        """The adapter for ``environ``; a 400 for an untrusted, malformed or
        empty host."""
        return self.adapter(self.binding(environ, trusted_hosts), environ)

    def binding(
        self, environ: WSGIEnvironment, trusted_hosts: list[str] | None
    ) -> _Binding:
        """Server name, script root, subdomain and scheme of ``environ``;
        a 400 for an untrusted, malformed or empty host."""
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
            if not get_host(environ, trusted_hosts):
                # Werkzeug gives "" for a malformed Host; URLs built from it
                # ("http:///...") would be broken, so refuse it.
                raise BadRequest("The Host header is missing or invalid.")
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
        return binding

    def adapter(self, binding: _Binding, environ: WSGIEnvironment) -> MapAdapter:
        """The adapter for a binding and the request's path, method and
        query string."""
        query = environ.get("QUERY_STRING")
        return MapAdapter(
            self.app.url_map,
            binding[0],
            binding[1],
            binding[2],
            binding[3],
            _path_info(environ),
            environ["REQUEST_METHOD"],
            _wsgi_str(query) if query is not None else None,
        )


def _path_info(environ: WSGIEnvironment) -> str:
    path = environ.get("PATH_INFO")
    return _wsgi_str(path) if path is not None else "/"


def _forget_on_add(url_map: Map, *forget: t.Callable[[], None]) -> None:
    """Call each of ``forget`` whenever a rule is added to ``url_map``."""
    add = url_map.add

    def add_and_forget(rulefactory: t.Any) -> None:
        add(rulefactory)
        for clear in forget:
            clear()

    url_map.add = add_and_forget  # type: ignore[method-assign]


#: Converters whose values are immutable and so can be shared between
#: requests. Other converters (a custom one may return a database row)
#: are run on every request.
_VALUE_CONVERTERS = frozenset(
    {
        UnicodeConverter,
        PathConverter,
        IntegerConverter,
        FloatConverter,
        UUIDConverter,
        AnyConverter,
    }
)

_MAX_MATCHES = 1024
_NOT_FOUND: t.Any = object()


class _MatchCache:
    """Remembers successful URL matches per binding, path and method.

    Matching walks Werkzeug's state machine and runs converters; the
    result for the same URL is the same as long as no rule is added, so it
    is kept (bounded) and the view arguments copied for each request.
    A plain 404 is kept too; other failures (405, redirects) are not.
    Adding a rule to the map clears it.
    """

    def __init__(self, url_map: Map) -> None:
        self.url_map = url_map
        self._results: dict[tuple[t.Any, ...], tuple[Rule, dict[str, t.Any]]] = {}
        # By id: rules compare by value and aren't hashable; they stay in
        # the map for its lifetime, so ids are not reused.
        self._cacheable: dict[int, bool] = {}
        _forget_on_add(url_map, self._results.clear)

    def match(self, adapter: MapAdapter) -> tuple[Rule, dict[str, t.Any]]:
        """``adapter.match(return_rule=True)``, from memory when possible."""
        if type(adapter) is not MapAdapter or adapter.map is not self.url_map:
            rule, args = adapter.match(return_rule=True)
            return rule, t.cast(dict[str, t.Any], args)
        binding = (
            adapter.server_name,
            adapter.script_name,
            adapter.subdomain,
            adapter.url_scheme,
        )
        key = (binding, adapter.path_info, adapter.default_method)
        return self._recall(key) or self._match(key, adapter)

    def match_environ(
        self,
        binding: _Binding,
        environ: WSGIEnvironment,
        make_adapter: t.Callable[[], MapAdapter],
    ) -> tuple[Rule, dict[str, t.Any]]:
        """The same as :meth:`match` for the adapter of ``binding`` and
        ``environ``, which is made only when the match isn't remembered."""
        key = (binding, _path_info(environ), environ["REQUEST_METHOD"])
        return self._recall(key) or self._match(key, make_adapter())

    def _recall(self, key: tuple[t.Any, ...]) -> tuple[Rule, dict[str, t.Any]] | None:
        hit = self._results.get(key)
        if hit is None:
            return None
        if hit is _NOT_FOUND:
            raise NotFound()
        rule, args = hit
        return rule, (args.copy() if args else {})

    def _match(
        self, key: tuple[t.Any, ...], adapter: MapAdapter
    ) -> tuple[Rule, dict[str, t.Any]]:
        try:
            rule, args = adapter.match(return_rule=True)
        except NotFound as e:
            if type(e) is NotFound:
                self._remember(key, _NOT_FOUND)
            raise
        if self._is_cacheable(rule):
            self._remember(key, (rule, dict(args)))
        return rule, t.cast(dict[str, t.Any], args)

    def _remember(self, key: tuple[t.Any, ...], result: t.Any) -> None:
        if len(self._results) >= _MAX_MATCHES:
            self._results.clear()
        self._results[key] = result

    def _is_cacheable(self, rule: Rule) -> bool:
        known = self._cacheable.get(id(rule))
        if known is None:
            converters = getattr(rule, "_converters", None)
            known = converters is not None and all(
                type(c) in _VALUE_CONVERTERS for c in converters.values()
            )
            self._cacheable[id(rule)] = known
        return known


#: Value types whose converters' output depends on the value alone (and
#: which are compared with their type, so ``1`` and ``True`` stay apart).
_PLAIN_VALUES = frozenset({str, int, float, bool, type(None), UUID})
_MAX_BUILDS = 1024


class _BuildCache:
    """Remembers the URLs built for an endpoint and its values.

    Building walks the endpoint's rules and runs converters and URL
    quoting; a template linking to the same pages on every request builds
    the same URLs. A URL is kept (bounded) per binding of the adapter,
    endpoint, values and build options when every rule of the endpoint
    has only stock converters and every value has a plain type; anything
    else, and every build error, goes to Werkzeug each time. Adding a rule
    to the map clears it.
    """

    def __init__(self, url_map: Map) -> None:
        self.url_map = url_map
        self._urls: dict[tuple[t.Any, ...], str] = {}
        self._endpoints: dict[str, bool] = {}
        _forget_on_add(url_map, self._urls.clear, self._endpoints.clear)

    def build(
        self,
        adapter: MapAdapter,
        endpoint: str,
        values: dict[str, t.Any],
        method: str | None,
        url_scheme: str | None,
        force_external: bool,
    ) -> str:
        """``adapter.build(endpoint, values, ...)``, from memory when possible."""
        key = self._key(adapter, endpoint, values, method, url_scheme, force_external)
        url = None if key is None else self._urls.get(key)
        if url is None:
            url = adapter.build(
                endpoint,
                values,
                method=method,
                url_scheme=url_scheme,
                force_external=force_external,
            )
            if key is not None:
                if len(self._urls) >= _MAX_BUILDS:
                    self._urls.clear()
                self._urls[key] = url
        return url

    def _key(
        self,
        adapter: MapAdapter,
        endpoint: str,
        values: dict[str, t.Any],
        *options: t.Any,
    ) -> tuple[t.Any, ...] | None:
        if type(adapter) is not MapAdapter or adapter.map is not self.url_map:
            return None
        cacheable = self._endpoints.get(endpoint)
        if cacheable is None:
            cacheable = self._endpoints[endpoint] = self._stock_rules(endpoint)
        if not cacheable:
            return None
        parts: list[t.Any] = [
            adapter.server_name,
            adapter.script_name,
            adapter.subdomain,
            adapter.url_scheme,
            adapter.default_method,
            adapter.websocket,
            endpoint,
            *options,
        ]
        for name, value in values.items():
            kind = type(value)
            if kind not in _PLAIN_VALUES:
                return None
            parts += (name, kind, value)
        return tuple(parts)

    def _stock_rules(self, endpoint: str) -> bool:
        """Whether every rule of ``endpoint`` has only stock converters."""
        try:
            rules = list(self.url_map.iter_rules(endpoint))
        except KeyError:
            return False
        for rule in rules:
            converters = getattr(rule, "_converters", None)
            if converters is None or not all(
                type(c) in _VALUE_CONVERTERS for c in converters.values()
            ):
                return False
        return True
