"""Functions used by views and the app: URLs, redirects, aborts,
responses, files, streaming and flashed messages."""

from __future__ import annotations

import importlib.util
import os
import sys
import typing as t
from datetime import datetime
from datetime import timedelta
from functools import cache
from functools import update_wrapper

import werkzeug.utils
from werkzeug.exceptions import abort as _wz_abort
from werkzeug.exceptions import NotFound
from werkzeug.security import safe_join
from werkzeug.utils import redirect as _wz_redirect
from werkzeug.wrappers import Response as BaseResponse

from .globals import _cv_app
from .globals import _cv_request
from .globals import current_app
from .globals import request
from .globals import request_ctx
from .globals import session
from .signals import message_flashed

if t.TYPE_CHECKING:  # pragma: no cover
    from .wrappers import Response


def get_debug_flag() -> bool:
    """Whether ``FLASK_DEBUG`` asks for debug mode."""
    val = os.environ.get("FLASK_DEBUG")
    return bool(val and val.lower() not in {"0", "false", "no"})


def get_load_dotenv(default: bool = True) -> bool:
    """Whether dotenv files should be loaded: ``default`` unless
    ``FLASK_SKIP_DOTENV`` is set to a true value."""
    val = os.environ.get("FLASK_SKIP_DOTENV")
    if not val:
        return default
    return val.lower() in ("0", "false", "no")


@t.overload
def stream_with_context(
    generator_or_function: t.Iterator[t.AnyStr],
) -> t.Iterator[t.AnyStr]: ...


@t.overload
def stream_with_context(
    generator_or_function: t.Callable[..., t.Iterator[t.AnyStr]],
) -> t.Callable[[t.Iterator[t.AnyStr]], t.Iterator[t.AnyStr]]: ...


def stream_with_context(
    generator_or_function: t.Iterator[t.AnyStr] | t.Callable[..., t.Iterator[t.AnyStr]],
) -> t.Iterator[t.AnyStr] | t.Callable[[t.Iterator[t.AnyStr]], t.Iterator[t.AnyStr]]:
    """Keep the request context pushed while a streamed response's
    generator runs, after the view has returned. Works as a decorator
    of a generator function too."""
    try:
        gen = iter(generator_or_function)  # type: ignore[arg-type]
    except TypeError:

        def decorator(*args: t.Any, **kwargs: t.Any) -> t.Any:
            gen = generator_or_function(*args, **kwargs)  # type: ignore[operator]
            return stream_with_context(gen)

        return update_wrapper(decorator, generator_or_function)  # type: ignore[arg-type]

    def generator() -> t.Iterator[t.AnyStr | None]:
        req_ctx = _cv_request.get(None)
        if req_ctx is None:
            raise RuntimeError(
                "'stream_with_context' can only be used when a request"
                " context is active, such as in a view function."
            )
        app_ctx = _cv_app.get()
        # Priming runs to here: the contexts are recorded and held, so the
        # pop after the view returns defers teardown to the stream's end.
        # They are pushed when iteration starts, in the context that
        # iterates: an async view primes inside its own task's context.
        req_ctx._held += 1
        app_ctx._held += 1
        try:
            yield None
        except GeneratorExit:
            # Closed before it was read: tear down now.
            req_ctx._held -= 1
            app_ctx._held -= 1
            with app_ctx, req_ctx:
                pass
            raise
        # The app context first, so the request context reuses it.
        with app_ctx, req_ctx:
            try:
                yield from gen
            finally:
                req_ctx._held -= 1
                app_ctx._held -= 1
                close = getattr(gen, "close", None)
                if close is not None:
                    close()

    wrapped_g = generator()
    next(wrapped_g)
    return wrapped_g  # type: ignore[return-value]


def make_response(*args: t.Any) -> Response:
    """Turn a view's return value into a response object, for adding
    headers in the view; with no arguments, an empty response."""
    if not args:
        return current_app.response_class()
    if len(args) == 1:
        args = args[0]
    return current_app.make_response(args)


def url_for(
    endpoint: str,
    *,
    _anchor: str | None = None,
    _method: str | None = None,
    _scheme: str | None = None,
    _external: bool | None = None,
    **values: t.Any,
) -> str:
    """Build a URL for ``endpoint`` with the current app; see
    :meth:`Flask.url_for`."""
    return current_app.url_for(
        endpoint,
        _anchor=_anchor,
        _method=_method,
        _scheme=_scheme,
        _external=_external,
        **values,
    )


def redirect(
    location: str, code: int = 302, Response: type[BaseResponse] | None = None
) -> BaseResponse:
    """A redirect response; uses ``app.redirect`` when an app is active."""
    ctx = _cv_app.get(None)
    if ctx is not None:
        return ctx.app.redirect(location, code=code)
    return _wz_redirect(location, code=code, Response=Response)


def abort(code: int | BaseResponse, *args: t.Any, **kwargs: t.Any) -> t.NoReturn:
    """Raise the HTTP exception for ``code``; uses ``app.aborter`` when
    an app is active."""
    ctx = _cv_app.get(None)
    if ctx is not None:
        ctx.app.aborter(code, *args, **kwargs)
    _wz_abort(code, *args, **kwargs)


def get_template_attribute(template_name: str, attribute: str) -> t.Any:
    """An attribute (often a macro) exported by a template."""
    return getattr(current_app.jinja_env.get_template(template_name).module, attribute)


def flash(message: str, category: str = "message") -> None:
    """Store a message in the session for the next request to show."""
    flashes = session.get("_flashes", [])
    flashes.append((category, message))
    session["_flashes"] = flashes
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    message_flashed.send(
        app, _async_wrapper=app.ensure_sync, message=message, category=category
    )


def get_flashed_messages(
    with_categories: bool = False, category_filter: t.Iterable[str] = ()
) -> list[str] | list[tuple[str, str]]:
    """Pop the flashed messages from the session; repeated calls in one
    request return the same messages."""
    flashes = request_ctx.flashes
    if flashes is None:
        flashes = session.pop("_flashes") if "_flashes" in session else []
        request_ctx.flashes = flashes
    if category_filter:
        flashes = [f for f in flashes if f[0] in category_filter]
    if not with_categories:
        return [x[1] for x in flashes]
    return flashes


def _prepare_send_file_kwargs(**kwargs: t.Any) -> dict[str, t.Any]:
    if kwargs.get("max_age") is None:
        kwargs["max_age"] = current_app.get_send_file_max_age
    kwargs.update(
        environ=request.environ,
        use_x_sendfile=current_app.config["USE_X_SENDFILE"],
        response_class=current_app.response_class,
        _root_path=current_app.root_path,
    )
    return kwargs


def send_file(
    path_or_file: os.PathLike[t.AnyStr] | str | t.BinaryIO,
    mimetype: str | None = None,
    as_attachment: bool = False,
    download_name: str | None = None,
    conditional: bool = True,
    etag: bool | str = True,
    last_modified: datetime | int | float | None = None,
    max_age: None | (int | t.Callable[[str | None], int | None]) = None,
) -> Response:
    """Send a file or file-like object; relative paths are relative to
    the app's root path. See :func:`werkzeug.utils.send_file`."""
    return werkzeug.utils.send_file(  # type: ignore[return-value]
        **_prepare_send_file_kwargs(
            path_or_file=path_or_file,
            mimetype=mimetype,
            as_attachment=as_attachment,
            download_name=download_name,
            conditional=conditional,
            etag=etag,
            last_modified=last_modified,
            max_age=max_age,
        )
    )


def send_from_directory(
    directory: os.PathLike[str] | str,
    path: os.PathLike[str] | str,
    **kwargs: t.Any,
) -> Response:
    """Send ``path`` from ``directory``; a 404 for paths that leave it,
    including through a symlink pointing outside it. Other arguments go
    to :func:`send_file`."""
    kwargs = _prepare_send_file_kwargs(**kwargs)
    _refuse_escaping_symlinks(directory, path, kwargs["_root_path"])
    return werkzeug.utils.send_from_directory(  # type: ignore[return-value]
        directory, path, **kwargs
    )


def _refuse_escaping_symlinks(
    directory: os.PathLike[str] | str, path: os.PathLike[str] | str, root: str
) -> None:
    """404 unless the resolved file lies inside the resolved directory.
    Werkzeug's ``safe_join`` checks the path's text only."""
    joined = safe_join(os.fspath(directory), os.fspath(path))
    if joined is None or "\x00" in joined:
        raise NotFound()
    folder = os.path.realpath(os.path.join(root, directory))
    target = os.path.realpath(os.path.join(root, joined))
    if target != folder and not target.startswith(folder + os.sep):
        raise NotFound()


def _max_age_seconds(value: timedelta | int | None) -> int | None:
    """``SEND_FILE_MAX_AGE_DEFAULT`` as seconds (None stays None)."""
    if isinstance(value, timedelta):
        return int(value.total_seconds())
    return value


def _send_static_file(owner: t.Any, filename: str) -> Response:
    """The static route's view for an app or a blueprint ``owner``."""
    if not owner.has_static_folder:
        raise RuntimeError("'static_folder' must be set to serve static_files.")
    max_age = owner.get_send_file_max_age(filename)
    return send_from_directory(owner.static_folder, filename, max_age=max_age)


def _open_resource(
    root_path: str, resource: str, mode: str, encoding: str | None
) -> t.IO[t.Any]:
    """Open ``resource`` under ``root_path`` for reading only."""
    if mode not in {"r", "rt", "rb"}:
        raise ValueError("Resources can only be opened for reading.")
    path = os.path.join(root_path, resource)
    if mode == "rb":
        return open(path, mode)
    return open(path, mode, encoding=encoding)


def get_root_path(import_name: str) -> str:
    """The folder of the module or package ``import_name``; the working
    directory when it can't be found (e.g. an interactive session)."""
    mod = sys.modules.get(import_name)
    mod_file: str | None = getattr(mod, "__file__", None)
    if mod_file is not None:
        return os.path.dirname(os.path.abspath(mod_file))

    try:
        spec = importlib.util.find_spec(import_name)
        if spec is None:
            raise ValueError
    except (ImportError, ValueError):
        loader = None
    else:
        loader = spec.loader

    if loader is None:
        return os.getcwd()

    if hasattr(loader, "get_filename"):
        filepath = loader.get_filename(import_name)
    else:
        __import__(import_name)
        mod = sys.modules.get(import_name)
        filepath = getattr(mod, "__file__", None)
        if filepath is None:
            raise RuntimeError(
                "No root path can be found for the provided module"
                f" {import_name!r}. This can happen because the module"
                " came from an import hook that does not provide file"
                " name information or because it's a namespace package."
                " In this case the root path needs to be explicitly"
                " provided."
            )
    return os.path.dirname(os.path.abspath(filepath))  # type: ignore[no-any-return]


@cache
def _split_blueprint_path(name: str) -> list[str]:
    """``"a.b.c"`` -> ``["a.b.c", "a.b", "a"]``."""
    out: list[str] = [name]
    if "." in name:
        out.extend(_split_blueprint_path(name.rpartition(".")[0]))
    return out
