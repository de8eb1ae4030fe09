"""The ``run`` command: Werkzeug's development server for the application.

TLS comes in three forms on the command line: a certificate file with a
``--key`` file, ``adhoc`` (a throw-away certificate, needs the cryptography
library), or the import path of a ready :class:`ssl.SSLContext`. The two
options are checked together once both are parsed (see :class:`_RunCommand`),
so their order on the command line does not matter.
"""

from __future__ import annotations

import importlib
import os
import traceback
import typing as t

import click

from ..helpers import get_debug_flag
from ._context import debug_option
from ._context import pass_script_info
from ._context import ScriptInfo

if t.TYPE_CHECKING:  # pragma: no cover
    from _typeshed.wsgi import StartResponse
    from _typeshed.wsgi import WSGIApplication
    from _typeshed.wsgi import WSGIEnvironment


def show_server_banner(debug: bool | None, app_import_path: str | None) -> None:
    """Say which application is served and whether debug mode is on.

    Silent in the reloader's child process: its parent said it already.
    """
    from werkzeug.serving import is_running_from_reloader

    lines = []
    if app_import_path is not None:
        lines.append(f" * Serving Flask app '{app_import_path}'")
    if debug is not None:
        lines.append(f" * Debug mode: {'on' if debug else 'off'}")
    if lines and not is_running_from_reloader():
        click.echo("\n".join(lines))


def _unusable(
    message: str, param: click.Parameter | None, ctx: click.Context | None
) -> click.BadParameter:
    return click.BadParameter(message, ctx=ctx, param=param)


def _ssl_module(param: click.Parameter | None, ctx: click.Context | None) -> t.Any:
    try:
        return importlib.import_module("ssl")
    except ImportError:
        message = 'Using "--cert" requires Python to be compiled with SSL support.'
        raise _unusable(message, param, ctx) from None


def _adhoc(param: click.Parameter | None, ctx: click.Context | None) -> str:
    """``adhoc``, if the cryptography library is there to make the certificate."""
    try:
        importlib.import_module("cryptography")
    except ImportError:
        message = "Using ad-hoc certificates requires the cryptography library."
        raise _unusable(message, param, ctx) from None
    return "adhoc"


class CertParamType(click.ParamType):  # type: ignore[type-arg]
    """The value of ``--cert``: a certificate file, ``adhoc``, or the import
    path of an :class:`ssl.SSLContext` object.
    """

    name = "path"
    path_type = click.Path(exists=True, dir_okay=False, resolve_path=True)

    def convert(
        self, value: t.Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> t.Any:
        """Return the absolute file path, ``"adhoc"`` or the SSL context."""
        ssl = _ssl_module(param, ctx)
        if isinstance(value, (str, os.PathLike)) and os.path.isfile(value):
            return self.path_type(value, param, ctx)
        text = click.STRING(value, param, ctx)
        if text.lower() == "adhoc":
            return _adhoc(param, ctx)

        from werkzeug.utils import import_string

        context = import_string(text, silent=True)
        if isinstance(context, ssl.SSLContext):
            return context
        self.fail(
            f"Could not load certificate {text!r}: it is neither an existing"
            " file, 'adhoc', nor the import path of an ssl.SSLContext.",
            param,
            ctx,
        )


class SeparatedPathType(click.Path):
    """Several paths in one value, separated by :data:`os.pathsep`; each is
    checked as :class:`click.Path` checks one.
    """

    def convert(  # type: ignore[override]
        self, value: t.Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> list[t.Any]:
        """Return the list of checked paths."""
        pieces = (
            value
            if isinstance(value, (list, tuple))
            else self.split_envvar_value(value)
        )
        check_one = super().convert
        return [check_one(piece, param, ctx) for piece in pieces]


def _tls_context(cert: t.Any, key: str | None, key_param: click.Parameter) -> t.Any:
    """The ``ssl_context`` for :func:`~werkzeug.serving.run_simple` made of
    the ``--cert`` and ``--key`` values, or a usage error.
    """
    file_cert = isinstance(cert, str) and cert != "adhoc"
    if key is None:
        if file_cert:
            raise click.BadParameter('Required when using "--cert".', param=key_param)
        return cert
    if cert is None:
        raise click.BadParameter('"--cert" must also be specified.', param=key_param)
    if cert == "adhoc":
        raise click.BadParameter(
            'When "--cert" is "adhoc", "--key" is not used.', param=key_param
        )
    if not file_cert:
        raise click.BadParameter(
            'When "--cert" is an SSLContext object, "--key" is not used.',
            param=key_param,
        )
    return (cert, key)


class _RunCommand(click.Command):
    """The ``run`` command, whose ``--key`` is folded into ``cert`` once
    all options are parsed.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Parse as usual, then check ``--key`` against ``--cert``."""
        rest = super().parse_args(ctx, args)
        key = ctx.params.pop("key", None)
        if not ctx.resilient_parsing:
            key_param = next(p for p in self.params if p.name == "key")
            try:
                ctx.params["cert"] = _tls_context(
                    ctx.params.get("cert"), key, key_param
                )
            except click.BadParameter as error:
                error.ctx = ctx
                raise
        return rest


def _unloadable(error: BaseException) -> WSGIApplication:
    """A WSGI application that raises ``error`` for every request."""

    def raise_error(environ: WSGIEnvironment, start_response: StartResponse) -> t.Any:
        raise error from None

    return raise_error


def _app_to_serve(info: ScriptInfo) -> t.Any:
    """The application, or in the reloader's child an app showing why it
    could not be loaded: the reloader keeps watching, and the next save that
    fixes the code restarts the server.
    """
    from werkzeug.serving import is_running_from_reloader

    try:
        return info.load_app()
    except Exception as error:
        if not is_running_from_reloader():
            raise
        traceback.print_exc()
        return _unloadable(error)


@pass_script_info
def _serve(
    info: ScriptInfo,
    host: str,
    port: int,
    cert: t.Any,
    reload: bool | None,
    debugger: bool | None,
    with_threads: bool,
    extra_files: list[str] | None,
    exclude_patterns: list[str] | None,
    asgi: bool = False,
) -> None:
    from werkzeug.serving import run_simple

    # Tells app.run(), should the application call it, that a server runs.
    os.environ["FLASK_RUN_FROM_CLI"] = "true"
    app = _app_to_serve(info)
    debug = get_debug_flag()
    show_server_banner(debug, info.app_import_path)
    if asgi:
        use_reloader = debug if reload is None else reload
        _serve_asgi(app, host, port, cert, use_reloader, extra_files, exclude_patterns)
        return
    server_options: dict[str, t.Any] = {
        "use_reloader": debug if reload is None else reload,
        "use_debugger": debug if debugger is None else debugger,
        "threaded": with_threads,
        "ssl_context": cert,
        "extra_files": extra_files,
        "exclude_patterns": exclude_patterns,
    }
    run_simple(host, port, app, **server_options)


def _serve_asgi(
    app: t.Any,
    host: str,
    port: int,
    cert: t.Any,
    use_reloader: bool,
    extra_files: list[str] | None,
    exclude_patterns: list[str] | None,
) -> None:
    """Serve ``app`` over ASGI with uvicorn, restarted by Werkzeug's
    reloader when asked. Werkzeug's debugger is WSGI-only: not used."""
    try:
        import uvicorn
    except ImportError:
        raise click.UsageError(
            "'--asgi' needs uvicorn: pip install 'flask[asgi]'"
        ) from None
    if cert is not None and not isinstance(cert, tuple):
        raise click.BadParameter(
            "only a certificate and key file work with '--asgi'.", param_hint="--cert"
        )
    options: dict[str, t.Any] = {"host": host, "port": port, "log_level": "info"}
    if cert is not None:
        options.update(ssl_certfile=cert[0], ssl_keyfile=cert[1])

    def serve() -> None:
        uvicorn.run(app, **options)

    if not use_reloader:
        serve()
        return
    from werkzeug._reloader import run_with_reloader

    run_with_reloader(serve, extra_files=extra_files, exclude_patterns=exclude_patterns)


def _switch(name: str, default: bool | None, help: str) -> click.Option:
    return click.Option([f"--{name}"], default=default, help=help)


_PATHSEP = repr(os.path.pathsep)

run_command = _RunCommand(
    name="run",
    callback=_serve,
    short_help="Run a development server.",
    help=(
        "Serve the application with Werkzeug's development server.\n\n"
        "Meant for working on the code, not for production: use a WSGI"
        " server there. With '--debug' (here or before 'run') the reloader and"
        " the debugger are on unless switched off here."
    ),
    params=[
        debug_option(),
        click.Option(
            ["--host", "-h"], default="127.0.0.1", help="The interface to bind to."
        ),
        click.Option(["--port", "-p"], default=5000, help="The port to bind to."),
        click.Option(
            ["--cert"],
            type=CertParamType(),
            help="Specify a certificate file to use HTTPS.",
        ),
        click.Option(
            ["--key"],
            type=click.Path(exists=True, dir_okay=False, resolve_path=True),
            help="The key file to use when specifying a certificate.",
        ),
        _switch(
            "reload/--no-reload",
            None,
            "Restart when the code changes (default: on with debug).",
        ),
        _switch(
            "debugger/--no-debugger",
            None,
            "Show the interactive debugger on errors (default: on with debug).",
        ),
        _switch(
            "with-threads/--without-threads",
            True,
            "Serve each request in its own thread.",
        ),
        click.Option(
            ["--extra-files"],
            type=SeparatedPathType(),
            help=f"More files whose change restarts the server, separated by {_PATHSEP}.",
        ),
        click.Option(
            ["--exclude-patterns"],
            type=SeparatedPathType(),
            help=f"fnmatch patterns of files whose change does not restart the server, separated by {_PATHSEP}.",
        ),
        click.Option(
            ["--asgi"],
            is_flag=True,
            default=False,
            help="Serve over ASGI with uvicorn (pip install 'flask[asgi]')"
            " instead of Werkzeug's WSGI server; no debugger.",
        ),
    ],
)
