"""Finding the application a command works on.

An *app reference* is what ``--app`` or ``FLASK_APP`` holds: a module (a
dotted name or a file path) and, after a colon, optionally the attribute to
read or the factory to call with literal arguments. Resolving one is two
steps: :func:`prepare_import` turns the module part into an importable name
(putting its root folder on :data:`sys.path`), :func:`locate_app` imports it
and picks the application out of it.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import os
import sys
import traceback
import typing as t
from pathlib import Path
from types import ModuleType

import click

if t.TYPE_CHECKING:  # pragma: no cover
    from ..app import Flask

#: Attribute names that hold an application, by preference.
APP_ATTRIBUTES = ("app", "application")
#: Attribute names of a factory called without arguments, by preference.
FACTORY_ATTRIBUTES = ("create_app", "make_app")


class NoAppException(click.UsageError):
    """No application could be loaded from what the user pointed at.

    Being a :class:`click.UsageError`, it is shown with the usage line and
    makes the command exit with status 2.
    """


def as_app(candidate: object) -> Flask | None:
    """Return ``candidate`` if it is an application object, else ``None``."""
    # Imported at call time: while flask.sansio.scaffold still imports this
    # package, flask.sansio.app is only half built when we are first loaded.
    from ..sansio.app import App

    return t.cast("Flask", candidate) if isinstance(candidate, App) else None


def _binds(func: t.Callable[..., t.Any], args: t.Any, kwargs: t.Any) -> bool:
    """Whether ``func`` can be called with these arguments (without calling)."""
    try:
        inspect.signature(func).bind(*args, **kwargs)
    except TypeError:
        return False
    except ValueError:  # pragma: no cover - a callable without a signature
        return True
    return True


# -- Without a name: look around the module ---------------------------------


def _by_conventional_name(module: t.Any) -> Flask | None:
    for attribute in APP_ATTRIBUTES:
        found = as_app(getattr(module, attribute, None))
        if found is not None:
            return found
    return None


def _only_instance(module: t.Any) -> Flask | None:
    apps = [app for app in map(as_app, vars(module).values()) if app is not None]
    if len(apps) > 1:
        label = module.__name__
        raise NoAppException(
            f"Detected multiple Flask applications in module '{label}'."
            f" Use '{label}:name' to specify the correct one."
        )
    return apps[0] if apps else None


def _by_conventional_factory(module: t.Any) -> Flask | None:
    for attribute in FACTORY_ATTRIBUTES:
        factory = getattr(module, attribute, None)
        if not inspect.isfunction(factory):
            continue
        if not _binds(factory, (), {}):
            label = module.__name__
            raise NoAppException(
                f"Detected factory '{attribute}' in module '{label}', but could"
                f" not call it without arguments. Use '{label}:{attribute}(args)'"
                " to specify arguments."
            )
        found = as_app(factory())
        if found is not None:
            return found
    return None


_SEARCHES = (_by_conventional_name, _only_instance, _by_conventional_factory)


def find_best_app(module: t.Any) -> Flask:
    """Pick the application out of ``module`` when no name was given.

    The searches, first match wins: an application in an attribute named
    ``app`` or ``application``; the one application among all attributes;
    the result of calling ``create_app()`` or ``make_app()``.

    :raises NoAppException: nothing matches, several applications are
        found, or a conventional factory needs arguments.
    """
    for search in _SEARCHES:
        found = search(module)
        if found is not None:
            return found
    label = module.__name__
    raise NoAppException(
        f"Failed to find Flask application or factory in module '{label}'."
        f" Use '{label}:name' to specify one."
    )


# -- With a name: ``attribute`` or ``factory(literal, key=literal)`` --------


class _Target(t.NamedTuple):
    """The part of an app reference after the colon, parsed."""

    attribute: str
    args: tuple[t.Any, ...]
    kwargs: dict[str, t.Any]


def _literals(text: str, call: ast.Call) -> _Target:
    assert isinstance(call.func, ast.Name)
    try:
        args = tuple(ast.literal_eval(node) for node in call.args)
        kwargs = {kw.arg: ast.literal_eval(kw.value) for kw in call.keywords if kw.arg}
    except ValueError:
        raise NoAppException(
            f"Failed to parse arguments as literal values: {text!r}."
        ) from None
    return _Target(call.func.id, args, kwargs)


def _parse_target(text: str) -> _Target:
    try:
        tree = ast.parse(text.strip(), mode="eval").body
    except SyntaxError:
        tree = None
    match tree:
        case ast.Name(id=attribute):
            return _Target(attribute, (), {})
        case ast.Call(func=ast.Name()):
            return _literals(text, tree)
        case ast.Call():
            raise NoAppException(f"Function reference must be a simple name: {text!r}.")
    raise NoAppException(
        f"Failed to parse {text!r} as an attribute name or function call."
    )


def find_app_by_string(module: t.Any, app_name: str) -> Flask:
    """Get the application that ``app_name`` names in ``module``.

    ``app_name`` is an attribute (``app``), or a module-level function called
    with Python literals (``create_app('dev', debug=True)``); a function named
    without parentheses is called with no arguments.

    :raises NoAppException: the text does not parse, the attribute does not
        exist, the function rejects the arguments, or what comes out is not an
        application.
    """
    target = _parse_target(app_name)
    label = module.__name__
    if not hasattr(module, target.attribute):
        raise NoAppException(
            f"Failed to find attribute {target.attribute!r} in {label!r}."
        )
    value = getattr(module, target.attribute)

    if inspect.isfunction(value):
        if not _binds(value, target.args, target.kwargs):
            raise NoAppException(
                f"The factory {app_name!r} in module {label!r} could not be"
                " called with the specified arguments."
            )
        value = value(*target.args, **target.kwargs)

    found = as_app(value)
    if found is None:
        raise NoAppException(
            f"A valid Flask application was not obtained from '{label}:{app_name}'."
        )
    return found


# -- From a path to a module -------------------------------------------------


def prepare_import(path: str | os.PathLike[str]) -> str:
    """Make the module at ``path`` importable and return its dotted name.

    ``path`` is a ``.py`` file, a package folder or its ``__init__.py``. The
    package is climbed up for as long as the parent folders hold an
    ``__init__.py``; the folder above the top package goes first on
    :data:`sys.path` (unless it is already first).
    """
    here = Path(os.path.realpath(path))
    if here.suffix == ".py":
        here = here.with_suffix("")
    if here.name == "__init__":
        here = here.parent

    names = [here.name]
    root = here.parent
    while (root / "__init__.py").exists():
        names.append(root.name)
        root = root.parent

    root_entry = os.fspath(root)
    if sys.path[:1] != [root_entry]:
        sys.path.insert(0, root_entry)
    return ".".join(reversed(names))


def _is_the_module_missing(error: ImportError, dotted: str) -> bool:
    """Whether ``error`` says ``dotted`` itself (or a package above it) is
    absent, rather than something the module imports.
    """
    if not isinstance(error, ModuleNotFoundError) or not error.name:
        return False
    pieces = dotted.split(".")
    return error.name in {".".join(pieces[:n]) for n in range(1, len(pieces) + 1)}


def _import(dotted: str) -> ModuleType | None:
    """Import ``dotted``, or return ``None`` if there is no such module."""
    try:
        return importlib.import_module(dotted)
    except ImportError as error:
        if _is_the_module_missing(error, dotted):
            return None
        raise NoAppException(
            f"While importing {dotted!r}, an ImportError was raised:\n\n"
            + traceback.format_exc()
        ) from None


@t.overload
def locate_app(
    module_name: str, app_name: str | None, raise_if_not_found: t.Literal[False]
) -> Flask | None: ...
@t.overload
def locate_app(
    module_name: str, app_name: str | None, raise_if_not_found: t.Literal[True] = ...
) -> Flask: ...
@t.overload
def locate_app(
    module_name: str, app_name: str | None, raise_if_not_found: bool
) -> Flask | None: ...


def locate_app(
    module_name: str,
    app_name: str | None,
    raise_if_not_found: bool = True,
) -> Flask | None:
    """Import ``module_name`` and get the application from it.

    ``app_name`` goes to :func:`find_app_by_string`; without it
    :func:`find_best_app` searches. A module that does not exist gives
    ``None`` if ``raise_if_not_found`` is false; an import error raised by the
    module's own code is always reported, traceback included.

    :raises NoAppException: when the module or the application is missing.
    """
    module = _import(module_name)
    if module is None:
        if not raise_if_not_found:
            return None
        raise NoAppException(f"Could not import {module_name!r}.")
    if app_name is None:
        return find_best_app(module)
    return find_app_by_string(module, app_name)


def split_reference(reference: str) -> tuple[str, str | None]:
    """Split ``module:name`` at the colon; ``name`` is ``None`` if absent.

    A colon before a slash or backslash is a Windows drive (``C:\\app.py``).
    """
    for index, char in enumerate(reference):
        if char == ":" and reference[index + 1 : index + 2] not in ("/", "\\"):
            return reference[:index], reference[index + 1 :]
    return reference, None
