"""The app's logger and the default handler writing to ``wsgi.errors``."""

from __future__ import annotations

import logging
import sys
import typing as t

from werkzeug.local import LocalProxy

from .globals import request

if t.TYPE_CHECKING:  # pragma: no cover
    from .sansio.app import App


@LocalProxy
def wsgi_errors_stream() -> t.TextIO:
    """The request's ``wsgi.errors`` stream, else ``sys.stderr``."""
    if request:
        return request.environ["wsgi.errors"]  # type: ignore[no-any-return]
    return sys.stderr


def has_level_handler(logger: logging.Logger) -> bool:
    """Whether a handler in the logger's chain handles its effective level."""
    level = logger.getEffectiveLevel()
    current: logging.Logger | None = logger
    while current:
        if any(handler.level <= level for handler in current.handlers):
            return True
        if not current.propagate:
            break
        current = current.parent
    return False


#: The handler added to the app's logger when no handler is configured.
default_handler = logging.StreamHandler(wsgi_errors_stream)  # type: ignore[call-overload]
default_handler.setFormatter(
    logging.Formatter("[%(asctime)s] %(levelname)s in %(module)s: %(message)s")
)


def create_logger(app: App) -> logging.Logger:
    """The logger named after the app: level DEBUG in debug mode when
    unset, with :data:`default_handler` when nothing handles its level."""
    logger = logging.getLogger(app.name)
    if app.debug and not logger.level:
        logger.setLevel(logging.DEBUG)
    if not has_level_handler(logger):
        logger.addHandler(default_handler)
    return logger
