"""The ``shell`` and ``routes`` commands: looking into the application."""

from __future__ import annotations

import os
import sys
import typing as t

import click

from ..globals import current_app
from ._context import with_appcontext

if t.TYPE_CHECKING:  # pragma: no cover
    from werkzeug.routing import Map
    from werkzeug.routing import Rule


# -- shell -------------------------------------------------------------------


def _startup_namespace() -> dict[str, t.Any]:
    """What ``PYTHONSTARTUP`` defines, as the plain interpreter would run it."""
    namespace: dict[str, t.Any] = {}
    startup = os.environ.get("PYTHONSTARTUP")
    if startup and os.path.isfile(startup):
        with open(startup, encoding="utf-8") as file:
            exec(compile(file.read(), startup, "exec"), namespace)
    return namespace


def _install_completion(namespace: dict[str, t.Any]) -> None:
    """Run the interpreter's interactive hook (history, readline), with tab
    completion over ``namespace`` rather than ``__main__``.
    """
    hook = getattr(sys, "__interactivehook__", None)
    if hook is None:
        return
    try:
        import readline
        from rlcompleter import Completer
    except ImportError:  # pragma: no cover - no readline on this platform
        pass
    else:
        readline.set_completer(Completer(namespace).complete)
    hook()


def _shell() -> None:
    import code

    app = current_app
    banner = "\n".join(
        (
            f"Python {sys.version} on {sys.platform}",
            f"App: {app.import_name}",
            f"Instance: {app.instance_path}",
        )
    )
    namespace = _startup_namespace()
    # The app's names win over those of the startup file.
    namespace.update(app.make_shell_context())
    _install_completion(namespace)
    code.interact(banner=banner, local=namespace)


shell_command = click.Command(
    name="shell",
    callback=with_appcontext(_shell),
    short_help="Run a shell in the app context.",
    help=(
        "Start an interactive Python shell inside the application context.\n\n"
        "The namespace holds 'app', 'g' and what the application's shell"
        " context processors add, handy for a few lines of maintenance"
        " without any setup."
    ),
)


# -- routes ------------------------------------------------------------------


class _Column(t.NamedTuple):
    """One column of the routes table; ``key`` is its ``--sort`` name."""

    key: str
    title: str
    cell: t.Callable[[Rule], str]


def _methods_cell(hidden: frozenset[str]) -> t.Callable[[Rule], str]:
    return lambda rule: ", ".join(sorted((rule.methods or set()) - hidden))


def _columns(url_map: Map, rules: list[Rule], all_methods: bool) -> list[_Column]:
    """Endpoint, methods, the host or subdomain if any rule has one, rule."""
    hidden = frozenset() if all_methods else frozenset({"HEAD", "OPTIONS"})
    columns = [
        _Column("endpoint", "Endpoint", lambda rule: rule.endpoint),
        _Column("methods", "Methods", _methods_cell(hidden)),
    ]
    domain = "host" if url_map.host_matching else "subdomain"
    if any(getattr(rule, domain) for rule in rules):
        columns.append(
            _Column("domain", domain.title(), lambda rule: getattr(rule, domain) or "")
        )
    columns.append(_Column("rule", "Rule", lambda rule: rule.rule))
    return columns


def _table(titles: list[str], rows: list[list[str]]) -> t.Iterator[str]:
    """Left-aligned columns, a dashed line under the titles."""
    widths = [max(map(len, cells)) for cells in zip(titles, *rows, strict=True)]
    for cells in (titles, ["-" * width for width in widths], *rows):
        yield "  ".join(map(str.ljust, cells, widths)).rstrip()


def _routes(sort: str, all_methods: bool) -> None:
    url_map = current_app.url_map
    rules = list(url_map.iter_rules())
    if not rules:
        click.echo("No routes were registered.")
        return

    columns = _columns(url_map, rules, all_methods)
    rows = [[column.cell(rule) for column in columns] for rule in rules]
    keys = [column.key for column in columns]
    # 'match' keeps the map's order, the order rules are tried in.
    if sort in keys:
        position = keys.index(sort)
        rows.sort(key=lambda row: row[position])
    for line in _table([column.title for column in columns], rows):
        click.echo(line)


routes_command = click.Command(
    name="routes",
    callback=with_appcontext(_routes),
    short_help="Show the routes for the app.",
    help="List the URL rules of the application with their endpoints and methods.",
    params=[
        click.Option(
            ["--sort", "-s"],
            type=click.Choice(("endpoint", "methods", "domain", "rule", "match")),
            default="endpoint",
            help=(
                "The column to sort by; 'match' lists the rules in the order"
                " they are matched against a request."
            ),
        ),
        click.Option(
            ["--all-methods"], is_flag=True, help="Show HEAD and OPTIONS methods."
        ),
    ],
)
