"""Explanations for mistakes that are easy to make and hard to see.

Everything here runs only in debug mode or on request
(``EXPLAIN_TEMPLATE_LOADING``), never on a production request's path. The
module sits below the app, templating and wrappers, which import it lazily,
so it reads the objects it explains by duck typing instead of importing
their classes.
"""

from __future__ import annotations

import functools
import typing as t

from werkzeug.routing import RequestRedirect

from .globals import _cv_request

if t.TYPE_CHECKING:  # pragma: no cover
    from jinja2.loaders import BaseLoader

    from .sansio.app import App
    from .sansio.scaffold import Scaffold
    from .wrappers import Request

    #: ``(loader, its owner, get_source's result or None)``
    _LoadAttempt = tuple[BaseLoader, Scaffold, tuple[str, str | None, t.Any] | None]


class UnexpectedUnicodeError(AssertionError, UnicodeError):
    """Text was found where bytes were expected, or the reverse."""


def _missing_file_text(request: Request, key: str) -> str:
    text = (
        f"request.files has no {key!r}: the request body is"
        f" {request.mimetype!r}, not 'multipart/form-data', so no file"
        ' contents were transmitted. Add enctype="multipart/form-data" to'
        " the <form> tag."
    )
    sent = request.form.getlist(key)
    if not sent:
        return text
    listed = ", ".join(map(repr, sent))
    return (
        f"{text}\n\nThe browser sent file names as text. This was submitted: {listed}"
    )


def _form_redirect_text(request: Request) -> str:
    redirect = request.routing_exception
    assert isinstance(redirect, RequestRedirect)
    target = redirect.new_url
    parts = [
        f"The request went to '{request.url}' and routing redirected it"
        f" to the canonical URL '{target}'."
    ]
    if target.partition("?")[0] == f"{request.base_url}/":
        parts.append(
            " The rule was defined with a trailing slash, and a URL"
            " without it is redirected to the one with it."
        )
    parts.append(
        " Browsers drop form data on such a redirect: send the form to"
        " the canonical URL, or make routing redirect with 307 or 308."
        "\n\nThis check runs only in debug mode."
    )
    return "".join(parts)


class DebugFilesKeyError(KeyError, AssertionError):
    """``request.files[key]`` failed while ``key`` came as a form field:
    the form was sent without ``enctype="multipart/form-data"``, so the
    browser sent the file's name instead of its contents."""

    def __init__(self, request: Request, key: str) -> None:
        self.msg = _missing_file_text(request, key)

    def __str__(self) -> str:
        # KeyError's own str() is the repr of its argument: show prose.
        return self.msg


class FormDataRoutingRedirect(AssertionError):
    """Routing answered a form submission with a 301/302 redirect, which a
    browser follows as a GET without the form data."""

    def __init__(self, request: Request) -> None:
        super().__init__(_form_redirect_text(request))


@functools.cache
def _explaining_files_class(base: type[t.Any]) -> type[t.Any]:
    """A subclass of ``request.files``'s class (one per class, made once)
    whose missing keys raise :class:`DebugFilesKeyError` when the key was
    sent as a form field. It looks like ``base`` in reprs."""

    def __getitem__(self: t.Any, key: str) -> t.Any:
        try:
            return base.__getitem__(self, key)
        except KeyError as missing:
            request = self._flask_debug_request
            if key not in request.form:
                raise
            error = DebugFilesKeyError(request, key)
            raise error.with_traceback(missing.__traceback__) from None

    namespace = {"__getitem__": __getitem__, "__module__": base.__module__}
    return type(base.__name__, (base,), namespace)


def attach_enctype_error_multidict(request: Request) -> None:
    """Make ``request.files[key]`` explain itself with
    :class:`DebugFilesKeyError` when ``key`` was sent as a form field."""
    files = request.files
    files.__class__ = _explaining_files_class(type(files))
    files._flask_debug_request = request  # type: ignore[attr-defined]


# -- EXPLAIN_TEMPLATE_LOADING ------------------------------------------------


def _loader_lines(loader: BaseLoader) -> t.Iterator[str]:
    """The loader's class and its public settings worth showing: scalars,
    and sequences of strings such as a search path, one item a line."""
    kind = type(loader)
    yield f"class: {kind.__module__}.{kind.__name__}"
    for name, value in sorted(vars(loader).items()):
        if name.startswith("_"):
            continue
        if isinstance(value, (str, int, float, bool)):
            yield f"{name}: {value!r}"
        elif isinstance(value, (list, tuple)) and all(
            isinstance(item, str) for item in value
        ):
            yield f"{name}:"
            yield from (f"  - {item}" for item in value)


def _owner_label(app: App, owner: t.Any) -> str:
    # The app is the only source with a URL map; the others are blueprints.
    if owner is app or hasattr(owner, "url_map"):
        return f"application {owner.import_name!r}"
    if isinstance(getattr(owner, "name", None), str):
        return f"blueprint {owner.name!r} ({owner.import_name})"
    return repr(owner)


def _attempt_report(app: App, number: int, attempt: _LoadAttempt) -> t.Iterator[str]:
    loader, owner, source = attempt
    yield f"{number:5}: trying loader of {_owner_label(app, owner)}"
    for line in _loader_lines(loader):
        yield f"       {line}"
    if source is None:
        yield "       -> no match"
    else:
        yield f"       -> found ({source[1] or '<string>'!r})"


def _verdict(found: int) -> str | None:
    if found == 0:
        return "Error: the template could not be found."
    if found > 1:
        return "Warning: multiple loaders returned a match for the template."
    return None


def explain_template_loading_attempts(
    app: App, template: str, attempts: list[_LoadAttempt]
) -> None:
    """Log at info level, on ``app.logger``, each loader tried for
    ``template`` (in order, with its settings and result) and a verdict
    when none or several of them found it."""
    lines = [f"Locating template {template!r}:"]
    for number, attempt in enumerate(attempts, start=1):
        lines.extend(_attempt_report(app, number, attempt))

    verdict = _verdict(sum(source is not None for _, _, source in attempts))
    if verdict is not None:
        lines.append(verdict)
        ctx = _cv_request.get(None)
        blueprint = None if ctx is None else ctx.request.blueprint
        if blueprint is not None:
            lines += [
                "  The template was looked up from an endpoint that belongs"
                f" to the blueprint {blueprint!r}.",
                "  Is the template in that blueprint's template folder, or"
                " in the application's?",
                "  See https://flask.palletsprojects.com/blueprints/#templates",
            ]
    app.logger.info("\n".join(lines))
