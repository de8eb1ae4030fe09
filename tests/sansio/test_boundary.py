"""The sans-I/O core must not depend on the WSGI layer, the context
globals or the tools built on the app (the CLI, the test client): parse
``flask/sansio/*.py`` and look at what they import. Nor may it read an
attribute of the package root at run time (``from .. import typing``):
the root imports the WSGI app, so that closes an import circle.

Imports under ``if TYPE_CHECKING:`` are only seen by type checkers and
are allowed. Only direct imports are checked: ``flask/__init__.py``
imports the WSGI app, so anything under ``flask`` loads it at runtime.
"""

from __future__ import annotations

import ast
import os
import typing as t

import pytest

SANSIO_DIR = os.path.join(
    os.path.dirname(__file__), os.pardir, os.pardir, "src", "flask", "sansio"
)
SANSIO_FILES = sorted(name for name in os.listdir(SANSIO_DIR) if name.endswith(".py"))

FORBIDDEN = (
    "flask.app",
    "flask.cli",
    "flask.ctx",
    "flask.globals",
    "flask.wrappers",
    "flask.testing",
    "werkzeug.wrappers",
)

#: Forbidden as such, though the modules under them are not.
FORBIDDEN_EXACTLY = ("flask",)

PACKAGE = "flask.sansio"


def _is_type_checking_block(node: ast.AST) -> bool:
    if not isinstance(node, ast.If):
        return False
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _resolve(module: str | None, level: int, package: str) -> str:
    if level == 0:
        return module or ""
    parts = package.split(".")
    base = ".".join(parts[: len(parts) - level + 1])
    return f"{base}.{module}" if module else base


def _imported_names(tree: ast.AST, package: str) -> t.Iterator[tuple[int, str]]:
    """Every module name the code may import at runtime, with its line."""
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if _is_type_checking_block(node):
            # Only the else branch runs.
            stack.extend(node.orelse)  # type: ignore[attr-defined]
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(node.module, node.level, package)
            yield node.lineno, base
            for alias in node.names:
                yield node.lineno, f"{base}.{alias.name}"
        elif (
            isinstance(node, ast.Call)
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
            and (
                (isinstance(node.func, ast.Name) and node.func.id == "__import__")
                or (
                    isinstance(node.func, ast.Attribute)
                    and node.func.attr == "import_module"
                )
            )
        ):
            yield node.lineno, node.args[0].value
        stack.extend(ast.iter_child_nodes(node))


def forbidden_imports(source: str, package: str = PACKAGE) -> list[str]:
    """``"line N: name"`` for each import crossing the boundary."""
    found = set()
    for lineno, name in _imported_names(ast.parse(source), package):
        if name in FORBIDDEN_EXACTLY or any(
            name == bad or name.startswith(f"{bad}.") for bad in FORBIDDEN
        ):
            found.add((lineno, name))
    return [f"line {lineno}: {name}" for lineno, name in sorted(found)]


def test_sansio_files_exist() -> None:
    assert {"app.py", "scaffold.py", "blueprints.py"} <= set(SANSIO_FILES)


@pytest.mark.parametrize("filename", SANSIO_FILES)
def test_sansio_does_not_import_the_wsgi_layer(filename: str) -> None:
    with open(os.path.join(SANSIO_DIR, filename), encoding="utf-8") as f:
        source = f.read()
    assert forbidden_imports(source) == [], f"sansio/{filename} crosses the boundary"


# -- the checker itself ------------------------------------------------------------


@pytest.mark.parametrize(
    "source",
    [
        "from ..app import Flask",
        "from .. import app",
        "from .. import globals as g",
        "from ..ctx import AppContext",
        "from ..wrappers import Request",
        "from ..testing import FlaskClient",
        "from ..cli import AppGroup",
        "def f():\n    from .. import cli",
        "from .. import typing as ft",
        "import flask",
        "import flask.globals",
        "from flask.app import Flask",
        "from werkzeug.wrappers import Response",
        "from werkzeug.wrappers.request import Request",
        "import werkzeug.wrappers",
        "def f():\n    from ..globals import request",
        "if DEBUG:\n    from ..ctx import AppContext",
        "import importlib\nimportlib.import_module('flask.app')",
        "__import__('flask.ctx')",
        "if t.TYPE_CHECKING:\n    pass\nelse:\n    from ..app import Flask",
    ],
)
def test_checker_finds_crossings(source: str) -> None:
    assert forbidden_imports(source) != []


@pytest.mark.parametrize(
    "source",
    [
        "from .app import App",
        "from . import scaffold",
        "from ..typing import RouteCallable",
        "if t.TYPE_CHECKING:\n    from .. import typing as ft",
        "from ..helpers import get_root_path",
        "from ..config import Config",
        "from werkzeug.sansio.response import Response",
        "from werkzeug.routing import Map",
        "import typing as t\nif t.TYPE_CHECKING:\n    from ..app import Flask",
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
        "    from werkzeug.wrappers import Response",
        "import flask_appbuilder",
    ],
)
def test_checker_allows_the_sansio_side(source: str) -> None:
    assert forbidden_imports(source) == []
