"""Flaskr behind a reverse proxy, as docs/deployment.md configures it:
``ProxyFix`` trusts one proxy's X-Forwarded-For/-Proto/-Host/-Prefix
headers. A ``/_whoami`` view is added (Flaskr itself is unchanged) so the
tests can see what the application makes of a proxied request.

Served from the repository root by ``gunicorn --chdir examples/flaskr
--pythonpath ../../tests/deploy proxied_flaskr:app``."""

from __future__ import annotations

import typing as t

import flaskr
from werkzeug.middleware.proxy_fix import ProxyFix

from flask import request
from flask import url_for

app = flaskr.create_app()


@app.route("/_whoami")
def whoami() -> dict[str, t.Any]:
    return {
        "remote_addr": request.remote_addr,
        "scheme": request.scheme,
        "host": request.host,
        "script_root": request.script_root,
        "is_secure": request.is_secure,
        "index": url_for("show_entries", _external=True),
    }


app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
    app.wsgi_app, x_for=1, x_proto=1, x_host=1, x_prefix=1
)
