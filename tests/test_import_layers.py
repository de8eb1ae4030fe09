"""No import circle among the modules of ``src/flask``.

An edge A -> B is any import A executes, at module level or inside a
function; imports under ``if TYPE_CHECKING:`` are only seen by type checkers
and are left out. ``from P import name`` reads an attribute of the package P,
so it is an edge to P's ``__init__`` (and to ``P.name`` when that is a
module); ``from P.M import name`` is an edge to ``P.M`` and to every package
on the way that does not already contain A.

Run as a script to print the circles: ``python tests/test_import_layers.py``.
"""

from __future__ import annotations

import ast
import pathlib
import sys
import typing as t

import pytest

SRC = pathlib.Path(__file__).resolve().parent.parent / "src"
PACKAGE = "flask"


def _modules() -> dict[str, pathlib.Path]:
    found: dict[str, pathlib.Path] = {}
    for path in sorted((SRC / PACKAGE).rglob("*.py")):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _absolute(module: str | None, level: int, importer: str, is_pkg: bool) -> str:
    if level == 0:
        return module or ""
    base = importer.split(".")
    if not is_pkg:
        base.pop()
    if level > 1:
        base = base[: len(base) - (level - 1)]
    return ".".join(base + ([module] if module else []))


def _import_nodes(tree: ast.AST) -> t.Iterator[ast.Import | ast.ImportFrom]:
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _is_type_checking(node):
            stack.extend(node.orelse)
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        stack.extend(ast.iter_child_nodes(node))


def _targets(
    node: ast.Import | ast.ImportFrom, importer: str, is_pkg: bool, known: set[str]
) -> set[str]:
    names: set[str] = set()

    def add_path(dotted: str) -> None:
        parts = dotted.split(".")
        for i in range(1, len(parts) + 1):
            prefix = ".".join(parts[:i])
            inside = importer == prefix or importer.startswith(prefix + ".")
            if prefix in known and (not inside or i == len(parts)):
                names.add(prefix)

    if isinstance(node, ast.Import):
        for alias in node.names:
            add_path(alias.name)
        return names
    base = _absolute(node.module, node.level, importer, is_pkg)
    add_path(base)
    for alias in node.names:
        sub = f"{base}.{alias.name}"
        if sub in known:
            names.add(sub)
    return names


def import_graph() -> dict[str, set[str]]:
    """Module name -> the package modules it imports at run time."""
    modules = _modules()
    known = set(modules)
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        is_pkg = path.name == "__init__.py"
        edges: set[str] = set()
        for node in _import_nodes(tree):
            edges |= _targets(node, name, is_pkg, known)
        edges.discard(name)
        graph[name] = edges
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_import_circle() -> None:
    assert circles(import_graph()) == []


@pytest.mark.parametrize(
    ("graph", "expected"),
    [
        ({"a": {"b"}, "b": set()}, []),
        ({"a": {"b"}, "b": {"a"}}, [["a", "b"]]),
        ({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}, [["a", "b", "c"]]),
    ],
)
def test_circles_are_found(
    graph: dict[str, set[str]], expected: list[list[str]]
) -> None:
    assert circles(graph) == expected


@pytest.mark.parametrize(
    ("source", "importer", "is_pkg", "expected"),
    [
        ("from . import typing", "flask.app", False, {"flask", "flask.typing"}),
        (
            "from .json.provider import X",
            "flask.app",
            False,
            {"flask.json", "flask.json.provider"},
        ),
        ("from ..globals import g", "flask.json.tag", False, {"flask.globals"}),
        ("from .provider import X", "flask.json", True, {"flask.json.provider"}),
        ("def f():\n    from .cli import main", "flask.app", False, {"flask.cli"}),
        ("if t.TYPE_CHECKING:\n    from .app import Flask", "flask.ctx", False, set()),
        ("import flask.globals", "flask.ctx", False, {"flask.globals"}),
    ],
)
def test_edges_are_read(
    source: str, importer: str, is_pkg: bool, expected: set[str]
) -> None:
    known = {
        "flask",
        "flask.app",
        "flask.ctx",
        "flask.cli",
        "flask.typing",
        "flask.globals",
        "flask.json",
        "flask.json.provider",
        "flask.json.tag",
    }
    edges: set[str] = set()
    for node in _import_nodes(ast.parse(source)):
        edges |= _targets(node, importer, is_pkg, known)
    edges.discard(importer)
    assert edges == expected


if __name__ == "__main__":
    found = circles(import_graph())
    for component in found:
        print(" <-> ".join(component))
    g = import_graph()
    for component in found:
        members = set(component)
        for m in component:
            inner = sorted(g[m] & members)
            print(f"  {m} -> {', '.join(inner)}")
    sys.exit(1 if found else 0)
