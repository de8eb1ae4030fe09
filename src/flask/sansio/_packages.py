"""Where an import name lives on disk, without importing it.

:func:`find_package` answers the question the instance folder depends on:
is the code a checkout (the instance folder goes beside it) or installed
under an interpreter prefix (it goes under ``<prefix>/var``)?
"""

from __future__ import annotations

import importlib.util
import os
import sys
from importlib.machinery import ModuleSpec


def _is_within(path: str, folder: str) -> bool:
    """Whether ``path`` is ``folder`` or lies under it (purely lexical)."""
    try:
        return os.path.commonpath((path, folder)) == os.path.normpath(folder)
    except ValueError:  # different drives, or absolute against relative
        return False


def _top_level_spec(import_name: str) -> ModuleSpec | None:
    top = import_name.split(".", 1)[0]
    try:
        return importlib.util.find_spec(top)
    except (ImportError, ValueError):
        return None


def _namespace_entry(spec: ModuleSpec, import_name: str) -> str:
    """The folder of a namespace package's search path that holds
    ``import_name``: a namespace package may be spread over several."""
    portions = list(spec.submodule_search_locations or ())
    inner = importlib.util.find_spec(import_name)
    inner_paths = inner.submodule_search_locations if inner is not None else None
    if not inner_paths:
        return portions[0]
    inner_root = os.path.commonpath(list(inner_paths))
    holding = [portion for portion in portions if _is_within(inner_root, portion)]
    return (holding or portions)[0]


def _containing_folder(import_name: str) -> str:
    """The folder on ``sys.path`` holding the top-level package or module
    of ``import_name``; the working directory when it cannot be found."""
    spec = _top_level_spec(import_name)
    if spec is None:
        return os.getcwd()
    if not spec.submodule_search_locations:  # a plain module
        return os.path.dirname(spec.origin or "")
    origin = spec.origin
    if origin is None or origin == "namespace":
        return os.path.dirname(_namespace_entry(spec, import_name))
    # A regular package: origin is <folder>/<package>/__init__.py.
    return os.path.dirname(os.path.dirname(origin))


def _prefix_of_site_packages(folder: str) -> str | None:
    """The interpreter prefix owning a ``site-packages`` folder:
    ``<prefix>/lib/site-packages`` or ``<prefix>/lib/pythonX.Y/site-packages``,
    else the folder above it. None when ``folder`` is no site-packages."""
    above, leaf = os.path.split(folder)
    if leaf.lower() != "site-packages":
        return None
    grandparent, parent = os.path.split(above)
    if parent.lower() == "lib":
        return grandparent
    if os.path.basename(grandparent).lower() == "lib":
        return os.path.dirname(grandparent)
    return above


def find_package(import_name: str) -> tuple[str | None, str]:
    """``(prefix, folder)`` for ``import_name``: ``folder`` holds its
    top-level package or module; ``prefix`` is the installation prefix
    when it is installed (under ``sys.prefix`` or in a site-packages
    folder), else None."""
    folder = _containing_folder(import_name)
    interpreter_prefix = os.path.abspath(sys.prefix)
    if _is_within(folder, interpreter_prefix):
        return interpreter_prefix, folder
    return _prefix_of_site_packages(folder), folder
