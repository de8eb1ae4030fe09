"""Functions used by views and the app: URLs, redirects, aborts,
responses, files, streaming and flashed messages."""

from __future__ import annotations

import importlib.util
import os
import sys
import typing as t
from datetime import datetime
from datetime import timedelta
from functools import lru_cache
from functools import wraps

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


_FALSE_WORDS = frozenset({"0", "false", "no"})


def _env_flag(name: str) -> bool | None:
    """The boolean an environment variable spells, None when it is unset
    or empty."""
    value = os.environ.get(name)
    return None if not value else value.lower() not in _FALSE_WORDS


def get_debug_flag() -> bool:
    """Whether ``FLASK_DEBUG`` asks for debug mode."""
    return bool(_env_flag("FLASK_DEBUG"))


def get_load_dotenv(default: bool = True) -> bool:
    """Whether to load dotenv files: ``default``, unless
    ``FLASK_SKIP_DOTENV`` is set (true skips them, false loads them)."""
    skip = _env_flag("FLASK_SKIP_DOTENV")
    return default if skip is None else not skip


class _HeldContexts:
    """The request and app contexts a stream runs in.

    Made while the view runs, it counts both contexts as held, so the pop
    after the view returns leaves their teardown to the stream. The
    stream pushes them when it is first read, in the context that reads
    it (an async view's own task, a server thread), and its end releases
    and pops them: teardown runs once, after the last chunk.
    """

    __slots__ = ("_app_ctx", "_req_ctx")

    def __init__(self) -> None:
        req_ctx = _cv_request.get(None)
        if req_ctx is None:
            raise RuntimeError(
                "'stream_with_context' can only be used when a request"
                " context is active, such as in a view function."
            )
        self._req_ctx = req_ctx
        self._app_ctx = _cv_app.get()
        req_ctx._held += 1
        self._app_ctx._held += 1

    def __enter__(self) -> None:
        # The app context first, so the request context reuses it.
        self._app_ctx.push()
        self._req_ctx.push()

    def __exit__(self, *exc_info: t.Any) -> None:
        self._req_ctx._held -= 1
        self._app_ctx._held -= 1
        try:
            self._req_ctx.__exit__(*exc_info)
        finally:
            self._app_ctx.__exit__(*exc_info)


def _run_held(
    held: _HeldContexts, chunks: t.Iterator[t.AnyStr]
) -> t.Iterator[t.AnyStr | None]:
    try:
        yield None  # primed by stream_with_context, before the view returns
    except GeneratorExit:
        with held:  # closed unread: the pop tears down now
            pass
        raise
    with held:
        try:
            yield from chunks
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()


_Chunks = t.Iterator[t.AnyStr]
_ChunksFunction = t.Callable[..., t.Iterator[t.AnyStr]]


@t.overload
def stream_with_context(
    generator_or_function: _Chunks[t.AnyStr],
) -> _Chunks[t.AnyStr]: ...
@t.overload
def stream_with_context(
    generator_or_function: _ChunksFunction[t.AnyStr],
) -> _ChunksFunction[t.AnyStr]: ...
def stream_with_context(
    generator_or_function: _Chunks[t.AnyStr] | _ChunksFunction[t.AnyStr],
) -> _Chunks[t.AnyStr] | _ChunksFunction[t.AnyStr]:
    """Keep the request context while a streamed response's iterator
    runs, after the view has returned. Given a generator function, a
    function whose generators do so."""
    try:
        chunks = iter(generator_or_function)  # type: ignore[arg-type]
    except TypeError:
        return _streaming(generator_or_function)  # type: ignore[arg-type]
    stream = _run_held(_HeldContexts(), chunks)
    next(stream)
    return stream  # type: ignore[return-value]


def _streaming(
    func: t.Callable[..., t.Iterator[t.AnyStr]],
) -> t.Callable[..., t.Iterator[t.AnyStr]]:
    @wraps(func)
    def streamed(*args: t.Any, **kwargs: t.Any) -> t.Iterator[t.AnyStr]:
        return stream_with_context(func(*args, **kwargs))

    return streamed


def make_response(*args: t.Any) -> Response:
    """The response a view's return value makes, to change it before
    returning it (``make_response(body, 404)``); no arguments make an
    empty response."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if not args:
        return app.response_class()  # type: ignore[no-any-return]
    return app.make_response(args[0] if len(args) == 1 else args)  # type: ignore[no-any-return]


def url_for(
    endpoint: str,
    *,
    _anchor: str | None = None,
    _method: str | None = None,
    _scheme: str | None = None,
    _external: bool | None = None,
    **values: t.Any,
) -> str:
    """The URL of ``endpoint`` built by the current app; see
    :meth:`Flask.url_for`."""
    values.update(
        _anchor=_anchor, _method=_method, _scheme=_scheme, _external=_external
    )
    return current_app.url_for(endpoint, **values)


def redirect(
    location: str, code: int = 302, Response: type[BaseResponse] | None = None
) -> BaseResponse:
    """A redirect to ``location``: the app's :meth:`~Flask.redirect` when
    an app is active, Werkzeug's (with ``Response``) otherwise."""
    if (ctx := _cv_app.get(None)) is None:
        return _wz_redirect(location, code=code, Response=Response)
    return ctx.app.redirect(location, code=code)


def abort(code: int | BaseResponse, *args: t.Any, **kwargs: t.Any) -> t.NoReturn:
    """Raise the HTTP exception for ``code`` (or the given response),
    through the app's ``aborter`` when an app is active."""
    if (ctx := _cv_app.get(None)) is not None:
        ctx.app.aborter(code, *args, **kwargs)
    _wz_abort(code, *args, **kwargs)


def get_template_attribute(template_name: str, attribute: str) -> t.Any:
    """A name a template exports, typically a macro to call from Python."""
    module = current_app.jinja_env.get_template(template_name).module
    return getattr(module, attribute)


_FLASHES_KEY = "_flashes"


def flash(message: str, category: str = "message") -> None:
    """Keep ``message`` in the session until a later request shows it
    with :func:`get_flashed_messages`."""
    session[_FLASHES_KEY] = [*session.get(_FLASHES_KEY, ()), (category, message)]
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if message_flashed.receivers:
        message_flashed.send(
            app, _async_wrapper=app.ensure_sync, message=message, category=category
        )


def get_flashed_messages(
    with_categories: bool = False, category_filter: t.Iterable[str] = ()
) -> list[str] | list[tuple[str, str]]:
    """The flashed messages, taken out of the session on the first call
    of a request (later calls in it see the same ones); ``(category,
    message)`` pairs with ``with_categories``, only those of the
    categories in ``category_filter`` when it is given."""
    ctx = request_ctx._get_current_object()  # type: ignore[attr-defined]
    if ctx.flashes is None:
        # Looked up first: a session that can't be written has nothing to pop.
        present = _FLASHES_KEY in session
        ctx.flashes = session.pop(_FLASHES_KEY) if present else []
    pairs: list[tuple[str, str]] = ctx.flashes
    if category_filter:
        pairs = [pair for pair in pairs if pair[0] in category_filter]
    if with_categories:
        return pairs
    return [text for _, text in pairs]


def _werkzeug_options(max_age: _MaxAge) -> dict[str, t.Any]:
    """The arguments of Werkzeug's file sending that come from the app
    and the request; a ``max_age`` of None asks the app."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    return {
        "environ": request.environ,
        "use_x_sendfile": app.config["USE_X_SENDFILE"],
        "response_class": app.response_class,
        "max_age": app.get_send_file_max_age if max_age is None else max_age,
        "_root_path": app.root_path,
    }


#: What ``send_file`` sends: a path (relative to the app's root) or a file.
_FileToSend = os.PathLike[t.AnyStr] | str | t.BinaryIO
#: A cache lifetime in seconds, or a function of the file name giving it.
_MaxAge = int | t.Callable[[str | None], int | None] | None


def send_file(
    path_or_file: _FileToSend[t.AnyStr],
    mimetype: str | None = None,
    as_attachment: bool = False,
    download_name: str | None = None,
    conditional: bool = True,
    etag: bool | str = True,
    last_modified: datetime | float | None = None,
    max_age: _MaxAge = None,
) -> Response:
    """Send a file or binary file object; a relative path is relative to
    the app's root path. See :func:`werkzeug.utils.send_file`."""
    chosen = {
        "mimetype": mimetype,
        "as_attachment": as_attachment,
        "download_name": download_name,
        "conditional": conditional,
        "etag": etag,
        "last_modified": last_modified,
    }
    options = {**chosen, **_werkzeug_options(max_age)}
    sent = werkzeug.utils.send_file(path_or_file, **options)  # type: ignore[arg-type]
    return sent  # type: ignore[return-value]


def send_from_directory(
    directory: os.PathLike[str] | str,
    path: os.PathLike[str] | str,
    **kwargs: t.Any,
) -> Response:
    """Send ``path`` from ``directory``: a 404 for a path that leaves it,
    through ``..`` or through a symlink pointing outside. Other arguments
    are those of :func:`send_file`."""
    options = {**kwargs, **_werkzeug_options(kwargs.get("max_age"))}
    _refuse_escaping_symlinks(directory, path, options["_root_path"])
    return werkzeug.utils.send_from_directory(  # type: ignore[return-value]
        directory, path, **options
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
    """``SEND_FILE_MAX_AGE_DEFAULT`` in seconds (None stays None)."""
    return int(value.total_seconds()) if isinstance(value, timedelta) else value


def _send_static_file(owner: t.Any, filename: str) -> Response:
    """Serve ``filename`` from the static folder of ``owner`` (an app or
    a blueprint): the view of the static route."""
    if not owner.has_static_folder:
        raise RuntimeError("'static_folder' must be set to serve static_files.")
    return send_from_directory(
        owner.static_folder, filename, max_age=owner.get_send_file_max_age(filename)
    )


_READ_MODES = frozenset({"r", "rt", "rb"})


def _open_resource(
    root_path: str, resource: str, mode: str, encoding: str | None
) -> t.IO[t.Any]:
    """Open ``resource``, relative to ``root_path``, for reading."""
    if mode not in _READ_MODES:
        raise ValueError("Resources can only be opened for reading.")
    text_encoding = None if "b" in mode else encoding
    return open(os.path.join(root_path, resource), mode, encoding=text_encoding)


def get_root_path(import_name: str) -> str:
    """The folder of the module or package ``import_name``, or the
    working directory when it has no known location (an interactive
    session, a module that can't be found)."""
    filename = getattr(sys.modules.get(import_name), "__file__", None)
    if filename is None:
        loader = _loader_of(import_name)
        if loader is None:
            return os.getcwd()
        filename = _filename_from(loader, import_name)
    return os.path.dirname(os.path.abspath(filename))


def _loader_of(import_name: str) -> t.Any:
    try:
        spec = importlib.util.find_spec(import_name)
    except (ImportError, ValueError):
        return None
    return None if spec is None else spec.loader


def _filename_from(loader: t.Any, import_name: str) -> str:
    get_filename = getattr(loader, "get_filename", None)
    if get_filename is not None:
        return get_filename(import_name)  # type: ignore[no-any-return]
    # A loader that can't tell: import the module and ask it.
    __import__(import_name)
    filename = getattr(sys.modules.get(import_name), "__file__", None)
    if filename is None:
        raise RuntimeError(
            f"No root path can be found for the provided module {import_name!r}."
            " It may come from an import hook that gives no file name, or be a"
            " namespace package: pass the root path explicitly."
        )
    return filename  # type: ignore[no-any-return]


@lru_cache(maxsize=1024)
def _blueprint_chain(endpoint: str | None) -> tuple[str, ...]:
    """The blueprints owning ``endpoint``, innermost first:
    ``"a.b.view"`` gives ``("a.b", "a")``, an app endpoint or None gives
    ``()``. Cached (bounded): every request and ``url_for`` asks for the
    same few endpoints."""
    owner = (endpoint or "").rpartition(".")[0]
    if not owner:
        return ()
    parts = owner.split(".")
    return tuple(".".join(parts[:end]) for end in range(len(parts), 0, -1))
