"""``app.logger``: the standard logger named after the app.

Logging is left to the standard library's configuration; the app only adds
:data:`default_handler` when nothing would otherwise show its records. That
handler writes to the current request's ``wsgi.errors`` stream, so the server
decides where errors go, and to ``sys.stderr`` outside a request.
"""

from __future__ import annotations

import logging
import sys
import typing as t

from werkzeug.local import LocalProxy

from .globals import _cv_request

if t.TYPE_CHECKING:  # pragma: no cover
    from .sansio.app import App


def _errors_stream_now() -> t.TextIO:
    ctx = _cv_request.get(None)
    if ctx is None:
        return sys.stderr
    return ctx.request.environ["wsgi.errors"]  # type: ignore[no-any-return]


#: A stream that is, at each write, the request's ``wsgi.errors`` or
#: ``sys.stderr`` when no request is active.
wsgi_errors_stream: LocalProxy[t.TextIO] = LocalProxy(_errors_stream_now)


def _propagation_chain(logger: logging.Logger) -> t.Iterator[logging.Logger]:
    """The loggers whose handlers see a record logged to ``logger``."""
    current: logging.Logger | None = logger
    while current is not None:
        yield current
        current = current.parent if current.propagate else None


def has_level_handler(logger: logging.Logger) -> bool:
    """Whether some handler along ``logger``'s propagation chain would
    emit a record at the logger's effective level."""
    level = logger.getEffectiveLevel()
    return any(
        handler.level <= level
        for member in _propagation_chain(logger)
        for handler in member.handlers
    )


#: Added to an app's logger by :func:`create_logger` when no configured
#: handler would show its records. Remove it to take over entirely.
default_handler: logging.StreamHandler[t.TextIO] = logging.StreamHandler(
    wsgi_errors_stream  # type: ignore[call-overload]
)
default_handler.setFormatter(
    logging.Formatter("[%(asctime)s] %(levelname)s in %(module)s: %(message)s")
)


def create_logger(app: App) -> logging.Logger:
    """Return the logger named ``app.name``. In debug mode a logger with no
    level of its own is set to ``DEBUG``; :data:`default_handler` is added
    when nothing along the chain handles the logger's level."""
    logger = logging.getLogger(app.name)
    if app.debug and logger.level == logging.NOTSET:
        logger.setLevel("DEBUG")
    if has_level_handler(logger):
        return logger
    logger.addHandler(default_handler)
    return logger
