"""The steps of registering a blueprint on an app.

A blueprint holds registrations in two forms: its own registries (hooks,
error handlers, endpoint views), copied into the app under the
registered name, and deferred functions, replayed with a
:class:`~flask.sansio.blueprints.BlueprintSetupState` for each
registration. The functions here are the parts of
:meth:`~flask.sansio.blueprints.Blueprint.register` that need no
blueprint method, kept apart so the blueprint class reads as its API.
"""

from __future__ import annotations

import typing as t
from collections import defaultdict

from .scaffold import _SCOPED_FUNCTION_LISTS
from .scaffold import _sentinel

if t.TYPE_CHECKING:  # pragma: no cover
    from .app import App
    from .blueprints import Blueprint
    from .blueprints import BlueprintSetupState


def dotted(parent: str | None, name: str) -> str:
    """``name`` inside the scope ``parent`` (None or empty: at the top)."""
    return f"{parent}.{name}" if parent else name


def refuse_taken_name(app: App, blueprint: Blueprint, name: str, own: str) -> None:
    """Raise when ``name`` is already a registered blueprint of ``app``:
    a second registration of a blueprint needs a name of its own."""
    holder = app.blueprints.get(name)
    if holder is None:
        return
    which = "this" if holder is blueprint else "a different"
    full = f" '{name}'" if own != name else ""
    raise ValueError(
        f"The name '{own}' is already registered for {which} blueprint{full}."
        " Use 'name=' to provide a unique name."
    )


def copy_registries(blueprint: Blueprint, app: App, name: str) -> None:
    """Copy ``blueprint``'s registries into ``app``'s, each scope of the
    blueprint becoming a scope under ``name``. The app's error handlers
    for a scope are replaced; hook lists are appended to."""

    def inside(scope: str | None) -> str:
        return name if scope is None else f"{name}.{scope}"

    for scope, by_code in blueprint.error_handler_spec.items():
        copied = {code: dict(handlers) for code, handlers in by_code.items()}
        app.error_handler_spec[inside(scope)] = defaultdict(dict, copied)
    app.view_functions.update(blueprint.view_functions)
    for registry in _SCOPED_FUNCTION_LISTS:
        target: dict[t.Any, list[t.Any]] = getattr(app, registry)
        for scope, functions in getattr(blueprint, registry).items():
            target.setdefault(inside(scope), []).extend(functions)


def _nest(
    outer: str | None, inner: str | None, join: t.Callable[[str, str], str]
) -> str | None:
    """Combine a parent's and a child's value; either may be None."""
    if outer is None:
        return inner
    if inner is None:
        return outer
    return join(outer, inner)


def _option(options: dict[str, t.Any], key: str, fallback: str | None) -> str | None:
    value = options.get(key)
    return fallback if value is None else t.cast(str, value)


def nested_options(
    parent: BlueprintSetupState,
    name: str,
    child: Blueprint,
    options: dict[str, t.Any],
) -> dict[str, t.Any]:
    """The registration options of ``child``, nested in the registration
    ``parent`` under the registered name ``name``: its subdomain under the
    parent's, its URL prefix after the parent's, its name inside ``name``."""
    subdomain = _nest(
        parent.subdomain,
        _option(options, "subdomain", child.subdomain),
        lambda outer, inner: f"{inner}.{outer}",
    )
    prefix = _nest(
        parent.url_prefix,
        _option(options, "url_prefix", child.url_prefix),
        lambda outer, inner: f"{outer.rstrip('/')}/{inner.lstrip('/')}",
    )
    merged = dict(options, name_prefix=name)
    if subdomain is not None:
        merged["subdomain"] = subdomain
    if prefix is not None:
        merged["url_prefix"] = prefix
    return merged


def attach_commands(
    blueprint: Blueprint, app: App, name: str, options: dict[str, t.Any]
) -> None:
    """Make the blueprint's CLI commands reachable from ``app.cli``: as a
    group named after the blueprint (or ``cli_group``), or, with
    ``cli_group=None``, directly among the app's commands."""
    if not blueprint.cli.commands:
        return
    group = options.get("cli_group", blueprint.cli_group)
    if group is None:
        app.cli.commands.update(blueprint.cli.commands)
        return
    blueprint.cli.name = name if group is _sentinel else group
    app.cli.add_command(blueprint.cli)
