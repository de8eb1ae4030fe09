"""``Flask.run``: the development server, started from code."""

from __future__ import annotations

import os
import typing as t

import click
from werkzeug.serving import is_running_from_reloader

from .cli import load_dotenv as _load_dotenv_files
from .cli import show_server_banner
from .helpers import get_debug_flag
from .helpers import get_load_dotenv

if t.TYPE_CHECKING:  # pragma: no cover
    from .app import Flask

_DEFAULT_HOST = "127.0.0.1"
_DEFAULT_PORT = 5000

_BLOCKED_BY_CLI = (
    " * Ignoring a call to 'app.run()' that would block the current 'flask'"
    " CLI command.\n   Only call 'app.run()' in an 'if __name__ =="
    ' "__main__"\' guard.'
)


def run(
    app: Flask,
    host: str | None,
    port: int | None,
    debug: bool | None,
    load_dotenv: bool,
    options: dict[str, t.Any],
) -> None:
    """Serve the app with Werkzeug's development server; not for
    production. Host and port default to ``SERVER_NAME``'s, then
    127.0.0.1:5000; debug mode turns on the reloader and debugger. Under
    ``flask run`` the call does nothing (the CLI already serves)."""
    if os.environ.get("FLASK_RUN_FROM_CLI") == "true":
        if not is_running_from_reloader():
            click.secho(_BLOCKED_BY_CLI, fg="red")
        return
    _apply_debug(app, debug, load_dotenv)
    host, port = _address(app, host, port)
    for option in ("use_reloader", "use_debugger"):
        options.setdefault(option, app.debug)
    options.setdefault("threaded", True)
    show_server_banner(app.debug, app.name)

    from werkzeug.serving import run_simple

    try:
        run_simple(host, port, app, **options)
    finally:
        # Setup may go on after the server stops, e.g. in a shell.
        app._got_first_request = False


def _apply_debug(app: Flask, debug: bool | None, load_dotenv: bool) -> None:
    if get_load_dotenv(load_dotenv):
        _load_dotenv_files()
        if "FLASK_DEBUG" in os.environ:
            app.debug = get_debug_flag()
    if debug is not None:
        app.debug = bool(debug)


def _address(app: Flask, host: str | None, port: int | None) -> tuple[str, int]:
    """Host and port: the arguments, else ``SERVER_NAME``'s, else the
    defaults."""
    named_host, _, named_port = (app.config.get("SERVER_NAME") or "").partition(":")
    if port or port == 0:
        chosen_port = int(port)
    elif named_port:
        chosen_port = int(named_port)
    else:
        chosen_port = _DEFAULT_PORT
    return host or named_host or _DEFAULT_HOST, chosen_port
