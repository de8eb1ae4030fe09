"""The app's files, templates and shell: the parts of :class:`~flask.Flask`
that serve the pipeline's views rather than being stages of it. Each
function is bound as the ``Flask`` method of the same name."""

from __future__ import annotations

import os
import typing as t

from .globals import _cv_app
from .globals import _cv_request
from .globals import g
from .globals import request
from .globals import session
from .helpers import _max_age_seconds
from .helpers import _open_resource
from .helpers import _send_static_file
from .helpers import get_flashed_messages

if t.TYPE_CHECKING:  # pragma: no cover
    from .app import Flask
    from .ctx import RequestContext
    from .templating import Environment
    from .wrappers import Response


def get_send_file_max_age(app: Flask, filename: str | None) -> int | None:
    """The ``max_age`` for :func:`~flask.send_file`:
    ``SEND_FILE_MAX_AGE_DEFAULT`` in seconds, or None (the browser then
    revalidates with a conditional request)."""
    return _max_age_seconds(app.config["SEND_FILE_MAX_AGE_DEFAULT"])


def send_static_file(app: Flask, filename: str) -> Response:
    """The view of the static route: a file of ``static_folder``."""
    return _send_static_file(app, filename)


def open_resource(
    app: Flask, resource: str, mode: str = "rb", encoding: str | None = None
) -> t.IO[t.AnyStr]:
    """Open a file relative to :attr:`~flask.Flask.root_path`, for reading
    only."""
    return _open_resource(app.root_path, resource, mode, encoding)


def open_instance_resource(
    app: Flask, resource: str, mode: str = "rb", encoding: str | None = "utf-8"
) -> t.IO[t.AnyStr]:
    """Open a file relative to :attr:`~flask.Flask.instance_path`;
    writing allowed. ``encoding`` applies to text modes only."""
    path = os.path.join(app.instance_path, resource)
    text_encoding = None if "b" in mode else encoding
    return open(path, mode, encoding=text_encoding)  # noqa: SIM115


def create_jinja_environment(app: Flask) -> Environment:
    """The :attr:`~flask.Flask.jinja_env`: ``jinja_options`` with the
    app's autoescape and reload defaults, and the standard globals."""
    options = {
        "autoescape": app.select_jinja_autoescape,
        "auto_reload": _auto_reload(app),
        **app.jinja_options,
    }
    env = app.jinja_environment(app, **options)
    names = env.globals
    names["url_for"] = app.url_for
    names["get_flashed_messages"] = get_flashed_messages
    names["config"] = app.config
    names.update(request=request, session=session, g=g)

    def dumps(obj: t.Any, **kwargs: t.Any) -> str:
        # Late-bound: a provider assigned to app.json later is the one used.
        return app.json.dumps(obj, **kwargs)

    env.policies["json.dumps_function"] = dumps
    return env


def _auto_reload(app: Flask) -> bool:
    configured = app.config["TEMPLATES_AUTO_RELOAD"]
    return app.debug if configured is None else bool(configured)


def update_template_context(app: Flask, context: dict[str, t.Any]) -> None:
    """Add the values of the context processors that apply (the app's,
    then the current blueprints' outward-in) to ``context``; values the
    caller passed win."""
    _add_context_values(app, context, lazy_request=False)


def _add_context_values(
    app: Flask, context: dict[str, t.Any], lazy_request: bool
) -> None:
    """:func:`update_template_context`; with ``lazy_request`` (a render
    nothing else observes) the standard ``request`` and ``g`` are the
    proxies while their objects are not made, so a template that never
    reads them does not make them."""
    added: dict[str, t.Any] = {}
    req_ctx = _cv_request.get(None)
    for processor in app._chains.of_context(req_ctx).context_processors:
        if processor is _default_template_ctx_processor:
            added.update(_standard_values(req_ctx, lazy_request))
        else:
            added.update(processor())
    if added:
        added.update(context)
        context.update(added)


def _default_template_ctx_processor() -> dict[str, t.Any]:
    """``g`` in every template rendered with an app context, ``request``
    and ``session`` when there is a request. ``session`` is the proxy: a
    template that never reads it leaves the session unopened."""
    return _standard_values(_cv_request.get(None), lazy_request=False)


def _standard_values(
    req_ctx: RequestContext | None, lazy_request: bool
) -> dict[str, t.Any]:
    found: dict[str, t.Any] = {}
    if (app_ctx := _cv_app.get(None)) is not None:
        made_g = vars(app_ctx).get("g") if lazy_request else app_ctx.g
        found["g"] = g if made_g is None else made_g
    if req_ctx is not None:
        made = req_ctx._request if lazy_request else req_ctx.request
        found["request"] = request if made is None else made
        found["session"] = session
    return found


def make_shell_context(app: Flask) -> dict[str, t.Any]:
    """The names ``flask shell`` starts with: ``app``, ``g`` and the shell
    context processors' values."""
    names: dict[str, t.Any] = {"app": app, "g": g}
    for processor in app.shell_context_processors:
        names.update(processor())
    return names
