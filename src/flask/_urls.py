"""Binding the URL map and building URLs, bound as the
:class:`~flask.Flask` methods of the same names."""

from __future__ import annotations

import typing as t
from urllib.parse import quote

from werkzeug.routing import BuildError

from .globals import _cv_app
from .globals import _cv_request

if t.TYPE_CHECKING:  # pragma: no cover
    from werkzeug.routing import MapAdapter

    from .app import Flask
    from .wrappers import Request

#: Characters left as they are in a URL fragment.
_FRAGMENT_SAFE = "%!#$&'()*+,/:;=?@"

_NO_ADAPTER = (
    "Unable to build URLs outside an active request without 'SERVER_NAME'"
    " configured. Also configure 'APPLICATION_ROOT' and"
    " 'PREFERRED_URL_SCHEME' as needed."
)


def create_url_adapter(app: Flask, request: Request | None) -> MapAdapter | None:
    """The URL map bound to ``request`` (a 400 for a refused host), or,
    outside a request, to ``SERVER_NAME`` (None when it is not set)."""
    config = app.config
    if request is None:
        if config["SERVER_NAME"] is None:
            return None
        return app.url_map.bind(
            config["SERVER_NAME"],
            script_name=config["APPLICATION_ROOT"],
            url_scheme=config["PREFERRED_URL_SCHEME"],
        )
    trusted = config["TRUSTED_HOSTS"]
    if trusted is not None:
        request.trusted_hosts = trusted
    return app._url_adapters.bind(request.environ, trusted)


class _BuildOptions(t.NamedTuple):
    """The underscore arguments of ``url_for``, taken out of its values."""

    anchor: str | None
    method: str | None
    scheme: str | None
    external: bool | None

    @classmethod
    def take(cls, values: dict[str, t.Any]) -> _BuildOptions:
        pop = values.pop
        return cls(pop("_anchor", None), pop("_method", None), pop("_scheme", None),
                   pop("_external", None))  # fmt: skip

    def put_back(self, values: dict[str, t.Any], external: bool) -> None:
        """Restore them for the build-error handlers, which expect them."""
        values.update(_anchor=self.anchor, _method=self.method)
        values.update(_scheme=self.scheme, _external=external)


def url_for(app: Flask, endpoint: str, /, **values: t.Any) -> str:
    """Build the URL of ``endpoint`` with ``values`` as arguments (unknown
    ones become the query string).

    ``.name`` is relative to the current blueprint. URLs are relative in
    a request and absolute outside one (which needs ``SERVER_NAME``). The
    options come in ``values`` as :func:`flask.url_for` documents them:
    ``_external`` forces either, ``_scheme`` implies external, ``_anchor``
    appends a fragment and ``_method`` picks the rule.
    """
    options = _BuildOptions.take(values)
    req_ctx = _cv_request.get(None)
    if req_ctx is None:
        adapter = _adapter_outside_request(app)
        external = True if options.external is None else options.external
    else:
        adapter = req_ctx.url_adapter  # type: ignore[assignment]
        if endpoint[:1] == ".":
            endpoint = _relative(endpoint, req_ctx.request.blueprint)
        # In a request URLs are relative unless asked for or implied by a scheme.
        implied = options.scheme is not None
        external = implied if options.external is None else options.external
    if options.scheme is not None and not external:
        raise ValueError("When specifying '_scheme', '_external' must be True.")

    app.inject_url_defaults(endpoint, values)
    try:
        url = app._url_builds.build(
            adapter, endpoint, values, options.method, options.scheme, external
        )
    except BuildError as error:
        options.put_back(values, external)
        return app.handle_url_build_error(error, endpoint, values)
    if options.anchor is None:
        return url
    return f"{url}#{quote(options.anchor, safe=_FRAGMENT_SAFE)}"


def _relative(endpoint: str, blueprint: str | None) -> str:
    """``.name`` in the current blueprint, or at the app's level."""
    return endpoint[1:] if blueprint is None else blueprint + endpoint


def _adapter_outside_request(app: Flask) -> MapAdapter:
    app_ctx = _cv_app.get(None)
    if app_ctx is None:
        adapter = app.create_url_adapter(None)
    else:
        adapter = app_ctx.url_adapter
    if adapter is None:
        raise RuntimeError(_NO_ADAPTER)
    return adapter
