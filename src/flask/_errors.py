"""The error branch of the pipeline (stages 5 and 7 of
:mod:`flask._pipeline`), bound as the :class:`~flask.Flask` methods of the
same names.

Handlers are found through the endpoint's chain, once per exception
class, so an error answered on a hot URL (a 404) needs neither the
request object nor a walk of the blueprints.
"""

from __future__ import annotations

import sys
import typing as t

from werkzeug.exceptions import BadRequestKeyError
from werkzeug.exceptions import HTTPException
from werkzeug.exceptions import InternalServerError
from werkzeug.routing import RequestRedirect
from werkzeug.routing import RoutingException

from .globals import _cv_request
from .signals import got_request_exception

if t.TYPE_CHECKING:  # pragma: no cover
    from .app import Flask
    from .typing import ErrorHandlerCallable
    from .typing import ResponseReturnValue
    from .wrappers import Request
    from .wrappers import Response

#: A redirect keeps the form data with these codes or methods.
_SAFE_REDIRECT_CODES = frozenset({307, 308})
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _handler_for(app: Flask, e: Exception) -> ErrorHandlerCallable | None:
    return app._chains.error_handler(_cv_request.get(None), e)


def handle_http_exception(
    app: Flask, e: HTTPException
) -> HTTPException | ResponseReturnValue:
    """The value of the handler registered for an HTTP error, or the
    error itself (it is a response). Routing redirects and code-less
    errors are never handled."""
    if e.code is None or isinstance(e, RoutingException):
        return e
    handler = _handler_for(app, e)
    if handler is None:
        return e
    return app.ensure_sync(handler)(e)  # type: ignore[no-any-return]


def handle_user_exception(
    app: Flask, e: Exception
) -> HTTPException | ResponseReturnValue:
    """Stage 5: an HTTP error goes to :meth:`~flask.Flask.handle_http_exception`
    unless trapped; anything else to its registered handler, or is
    re-raised."""
    if isinstance(e, BadRequestKeyError) and (
        app.debug or app.config["TRAP_BAD_REQUEST_ERRORS"]
    ):
        e.show_exception = True
    if isinstance(e, HTTPException) and not app.trap_http_exception(e):
        return app.handle_http_exception(e)
    handler = _handler_for(app, e)
    if handler is None:
        raise
    return app.ensure_sync(handler)(e)  # type: ignore[no-any-return]


def handle_exception(app: Flask, e: Exception) -> Response:
    """Stage 7: after ``got_request_exception``, re-raise ``e`` when
    exceptions propagate (``PROPAGATE_EXCEPTIONS``, else testing or debug
    mode); otherwise log it and answer 500, through the handler registered
    for ``InternalServerError`` if any (given one wrapping ``e``)."""
    exc_info = sys.exc_info()
    got_request_exception.send(app, _async_wrapper=app.ensure_sync, exception=e)
    if _propagates(app):
        if exc_info[1] is e:
            raise
        raise e
    app.log_exception(exc_info)
    wrapped = InternalServerError(original_exception=e)
    handler = _handler_for(app, wrapped)
    answer: t.Any = wrapped if handler is None else app.ensure_sync(handler)(wrapped)
    return app.finalize_request(answer, from_error_handler=True)


def _propagates(app: Flask) -> bool:
    configured = app.config["PROPAGATE_EXCEPTIONS"]
    if configured is None:
        return app.testing or app.debug
    return bool(configured)


def raise_routing_exception(app: Flask, request: Request) -> t.NoReturn:
    """Raise the request's routing error. In debug mode a redirect that
    would make the browser drop the form data raises an error saying so."""
    exc = request.routing_exception
    drops_form_data = (
        app.debug
        and isinstance(exc, RequestRedirect)
        and exc.code not in _SAFE_REDIRECT_CODES
        and request.method not in _SAFE_METHODS
    )
    if not drops_form_data:
        raise exc  # type: ignore[misc]
    from .debughelpers import FormDataRoutingRedirect

    raise FormDataRoutingRedirect(request)
