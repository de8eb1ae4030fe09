"""Templates: the app's Jinja environment, the loader that searches the
app and its blueprints, and the render functions.

Jinja caches templates loaded by name but compiles a source string on
every :meth:`~jinja2.Environment.from_string`. An environment of this
module keeps the templates compiled from strings too, in a bounded LRU
per environment keyed by the source, so ``render_template_string`` of the
same source compiles once. A kept template is only reused while compiling
again would give the same result:

* every attribute assigned on the environment (autoescape, syntax,
  ``finalize``, ``globals``, ``auto_reload``...) and every extension added
  drops the environment's kept templates;
* a callable ``autoescape`` is asked for each render, and its answer is
  part of the key;
* Jinja's optimizer may call filters and tests on constants while
  compiling, so a kept template remembers those it names and is dropped
  when one of them is replaced.

``{% include %}`` and ``{% extends %}`` load their templates when the
template renders, through Jinja's own cache and ``auto_reload``. An
environment made with ``cache_size=0`` keeps nothing, strings included.
"""

from __future__ import annotations

import typing as t
from functools import lru_cache

from jinja2 import BaseLoader
from jinja2 import Environment as BaseEnvironment
from jinja2 import nodes
from jinja2 import Template
from jinja2 import TemplateNotFound
from jinja2.ext import Extension

from ._resources import _add_context_values
from ._resources import (
    _default_template_ctx_processor as _default_template_ctx_processor,
)
from ._resources import update_template_context as _stock_update_template_context
from ._template_runtime import _Globals
from ._template_runtime import FlaskTemplate
from .globals import _cv_app
from .globals import _cv_request
from .globals import current_app
from .helpers import stream_with_context
from .signals import before_render_template
from .signals import template_rendered

if t.TYPE_CHECKING:  # pragma: no cover
    from blinker import NamedSignal

    from .app import Flask
    from .sansio.scaffold import Scaffold

#: Distinct sources whose compiled templates an environment keeps.
_SOURCE_CACHE_SIZE = 128

_Source = tuple[str, "str | None", "t.Callable[[], bool] | None"]
_Attempt = tuple[BaseLoader, "Scaffold", "_Source | None"]


#: What ``getattr`` finds on a plain dict: any other name is only a key.
_DICT_ATTRIBUTES = frozenset(dir(dict))


class Environment(BaseEnvironment):
    """The Jinja environment of an app: by default it loads templates
    with the app's :class:`DispatchingJinjaLoader`, and it keeps the
    templates it compiles from source strings (see the module)."""

    template_class = FlaskTemplate

    def __init__(self, app: Flask, **options: t.Any) -> None:
        if "loader" not in options:
            options["loader"] = app.create_global_jinja_loader()
        super().__init__(**options)
        self.app = app

    def __setattr__(self, name: str, value: t.Any) -> None:
        super().__setattr__(name, value)
        self.__dict__["_revision"] = self.__dict__.get("_revision", 0) + 1

    def add_extension(self, extension: str | type[Extension]) -> None:
        super().add_extension(extension)
        self.__dict__["_revision"] = self.__dict__.get("_revision", 0) + 1

    def make_globals(
        self, d: t.MutableMapping[str, t.Any] | None
    ) -> t.MutableMapping[str, t.Any]:
        """Jinja's template globals, ``d`` over the environment's, in a
        :class:`~collections.ChainMap` that :class:`FlaskTemplate` merges
        at C speed for each render, and that reads plain dict layers
        without raising a ``KeyError`` per layer where it is read by key."""
        return _Globals({} if d is None else d, self.globals)

    def getattr(self, obj: t.Any, attribute: str) -> t.Any:
        """Jinja's ``obj.attribute``: the attribute, else the item, else
        undefined. On a plain dict a name that is not a dict attribute is
        looked up as a key at once, without the failed attribute lookup."""
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        try:
            return getattr(obj, attribute)
        except AttributeError:
            pass
        try:
            return obj[attribute]
        except (TypeError, LookupError, AttributeError):
            return self.undefined(obj=obj, name=attribute)

    def _template_for_source(self, source: str) -> Template:
        """The template compiled from ``source``, kept for reuse."""
        kept = self.__dict__.get("_sources")
        if kept is None or kept.env is not self:
            # Overlays copy the parent's attributes: each gets its own.
            kept = self.__dict__["_sources"] = _SourceTemplates(self)
        return kept.get(source)


class _Compiled(t.NamedTuple):
    template: Template
    #: (table, name, function) for each filter and test the source names.
    bindings: tuple[tuple[dict[str, t.Any], str, t.Any], ...]


class _SourceTemplates:
    """The templates an :class:`Environment` compiled from sources."""

    __slots__ = ("env", "_revision", "_compiled")

    def __init__(self, env: Environment) -> None:
        self.env = env
        self._revision = env.__dict__.get("_revision")
        self._compiled = lru_cache(maxsize=_SOURCE_CACHE_SIZE)(self._compile)

    def get(self, source: str) -> Template:
        env = self.env
        if env.cache is None or type(source) is not str:
            return env.from_string(source)
        revision = env.__dict__.get("_revision")
        if revision != self._revision:
            self._compiled.cache_clear()
            self._revision = revision
        escaping = env.autoescape
        if callable(escaping):
            escaping = escaping(None)
        found = self._compiled(source, escaping)
        if found.bindings and not _still_bound(found.bindings):
            self._compiled.cache_clear()
            found = self._compiled(source, escaping)
        return found.template

    def _compile(self, source: str, escaping: t.Any) -> _Compiled:
        """Compile ``source``; ``escaping`` (the autoescape decision it is
        compiled under) is only part of the key."""
        env = self.env
        tree = env.parse(source)
        bindings = tuple(
            (table, node.name, table.get(node.name))
            for node in tree.find_all((nodes.Filter, nodes.Test))
            for table in [env.filters if isinstance(node, nodes.Filter) else env.tests]
        )
        return _Compiled(env.from_string(tree), bindings)


def _still_bound(bindings: tuple[tuple[dict[str, t.Any], str, t.Any], ...]) -> bool:
    return all(table.get(name) is bound for table, name, bound in bindings)


class DispatchingJinjaLoader(BaseLoader):
    """Finds a template in the app's template folder, then in each
    blueprint's, in registration order. With ``EXPLAIN_TEMPLATE_LOADING``
    every loader is tried and the attempts are logged."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def _loaders(self) -> list[tuple[Scaffold, BaseLoader]]:
        owners: list[Scaffold] = [self.app, *self.app.iter_blueprints()]
        return [(o, o.jinja_loader) for o in owners if o.jinja_loader is not None]

    def get_source(self, environment: BaseEnvironment, template: str) -> _Source:
        explain = self.app.config["EXPLAIN_TEMPLATE_LOADING"]
        attempts: list[_Attempt] = []
        first: _Source | None = None
        for owner, loader in self._loaders():
            try:
                found: _Source | None = loader.get_source(environment, template)
            except TemplateNotFound:
                found = None
            if not explain:
                if found is not None:
                    return found
                continue
            attempts.append((loader, owner, found))
            first = first or found
        if explain:
            from .debughelpers import explain_template_loading_attempts

            explain_template_loading_attempts(self.app, template, attempts)
        if first is None:
            raise TemplateNotFound(template)
        return first

    def list_templates(self) -> list[str]:
        names = {n for _, loader in self._loaders() for n in loader.list_templates()}
        return list(names)


def _announce(
    signal: NamedSignal, app: Flask, template: Template, context: dict[str, t.Any]
) -> None:
    if signal.receivers:
        signal.send(
            app, _async_wrapper=app.ensure_sync, template=template, context=context
        )


def _by_name(
    env: BaseEnvironment, name: str | Template | list[str | Template]
) -> Template:
    return env.get_or_select_template(name)


def _from_source(env: BaseEnvironment, source: str) -> Template:
    if isinstance(env, Environment):
        return env._template_for_source(source)
    return env.from_string(source)


def _prepared(
    find: t.Callable[[BaseEnvironment, t.Any], Template],
    what: t.Any,
    context: dict[str, t.Any],
) -> tuple[Flask, Template]:
    """The app and template for a render, the context completed with the
    context processors' values and announced."""
    app_ctx = _cv_app.get(None)
    # Without an app context the proxy raises its usual error.
    app: Flask = (
        current_app._get_current_object()  # type: ignore[attr-defined]
        if app_ctx is None
        else app_ctx.app
    )
    template = find(app.jinja_env, what)
    if type(app).update_template_context is _stock_update_template_context:
        # Receivers may keep the context past the request: it then holds
        # the request object, as a direct call's does.
        observed = before_render_template.receivers or template_rendered.receivers
        _add_context_values(app, context, lazy_request=not observed)
    else:
        app.update_template_context(context)
    _announce(before_render_template, app, template, context)
    return app, template


def _render(
    find: t.Callable[[BaseEnvironment, t.Any], Template],
    what: t.Any,
    context: dict[str, t.Any],
) -> str:
    app, template = _prepared(find, what, context)
    text = template.render(context)
    _announce(template_rendered, app, template, context)
    return text


def _stream(
    find: t.Callable[[BaseEnvironment, t.Any], Template],
    what: t.Any,
    context: dict[str, t.Any],
) -> t.Iterator[str]:
    app, template = _prepared(find, what, context)
    chunks = _generate(app, template, context)
    # In a request, the request stays available to the rest of the stream.
    if _cv_request.get(None) is None:
        return chunks
    return stream_with_context(chunks)


def _generate(
    app: Flask, template: Template, context: dict[str, t.Any]
) -> t.Iterator[str]:
    yield from template.generate(context)
    _announce(template_rendered, app, template, context)


def render_template(
    template_name_or_list: str | Template | list[str | Template],
    **context: t.Any,
) -> str:
    """Render the named template (the first that exists, given a list)
    with ``context``, the context processors' values and the globals."""
    return _render(_by_name, template_name_or_list, context)


def render_template_string(source: str, **context: t.Any) -> str:
    """Render a template given as source, always autoescaped; the same
    source is compiled once."""
    return _render(_from_source, source, context)


def stream_template(
    template_name_or_list: str | Template | list[str | Template],
    **context: t.Any,
) -> t.Iterator[str]:
    """Like :func:`render_template`, as an iterator of strings for a
    streamed response; the request context stays pushed while it runs."""
    return _stream(_by_name, template_name_or_list, context)


def stream_template_string(source: str, **context: t.Any) -> t.Iterator[str]:
    """Like :func:`render_template_string`, as an iterator of strings."""
    return _stream(_from_source, source, context)
