"""What an app's templates run with: their globals and the template class.

A render starts by copying the template's globals (its own over the
environment's, a :class:`~collections.ChainMap`) into a new context. Jinja
copies them key by key through ``__getitem__``; the template class here
merges the two plain dict layers at C speed instead, and reads them live
on every render, so globals added later are still seen.

With autoescape on, compiled templates call ``escape`` for every
``{{ value }}``. MarkupSafe 3's ``escape`` is a Python function that builds
its :class:`~markupsafe.Markup` through ``Markup.__new__``; templates made
here call :func:`_escape`, which gives the same result with one call for
the common cases of a plain string or number.
"""

from __future__ import annotations

import typing as t
from collections import ChainMap

import markupsafe
from jinja2 import Template
from jinja2.runtime import Context

if t.TYPE_CHECKING:  # pragma: no cover
    from types import CodeType

    from jinja2 import Environment

_MISSING = object()


class _Globals(ChainMap[str, t.Any]):
    """A ChainMap whose lookup asks a plain dict layer with ``get``; any
    other layer is subscripted, as ChainMap does."""

    def __getitem__(self, key: str) -> t.Any:
        for layer in self.maps:
            if type(layer) is dict:
                value = layer.get(key, _MISSING)
                if value is not _MISSING:
                    return value
            else:
                try:
                    return layer[key]
                except KeyError:
                    pass
        return self.__missing__(key)

    def __iter__(self) -> t.Iterator[str]:
        merged = self._merged()
        return super().__iter__() if merged is None else iter(merged)

    def _merged(self) -> dict[str, t.Any] | None:
        """The layers as one new dict, when they are the two plain dicts
        a template starts with (else None: read it as a ChainMap)."""
        layers = self.maps
        if len(layers) != 2:
            return None
        own, shared = layers
        if type(own) is not dict or type(shared) is not dict:
            return None
        return {**shared, **own}


def _escape_with(inner: t.Callable[[str], str]) -> t.Callable[[t.Any], t.Any]:
    make_markup = str.__new__
    markup = markupsafe.Markup
    slow = markupsafe.escape

    def escape(value: t.Any, /) -> markupsafe.Markup:
        """:func:`markupsafe.escape`, a plain string or number without its
        detours (a number's text has nothing to escape)."""
        kind = type(value)
        if kind is str:
            return make_markup(markup, inner(value))
        if kind is int or kind is float:
            return make_markup(markup, str(value))
        return slow(value)

    return escape


# MarkupSafe 2 has a C ``escape`` already (and no ``_escape_inner``).
_inner = getattr(markupsafe, "_escape_inner", None)
_escape = None if _inner is None else _escape_with(_inner)


class FlaskTemplate(Template):
    """The template class of an app's environment (see the module)."""

    @classmethod
    def from_code(
        cls,
        environment: Environment,
        code: CodeType,
        globals: t.MutableMapping[str, t.Any],
        uptodate: t.Callable[[], bool] | None = None,
    ) -> Template:
        template = super().from_code(environment, code, globals, uptodate)
        # Every render function of a template shares one module namespace.
        namespace = template.root_render_func.__globals__
        if _escape is not None and namespace.get("escape") is markupsafe.escape:
            namespace["escape"] = _escape
        return template

    def new_context(
        self,
        vars: dict[str, t.Any] | None = None,
        shared: bool = False,
        locals: t.Mapping[str, t.Any] | None = None,
    ) -> Context:
        """Jinja's context for a render; the globals are merged at once
        when they are the two plain dicts they start as."""
        layers = self.globals
        merged = None
        if not shared and not locals and type(layers) is _Globals:
            merged = layers._merged()
        if merged is None:
            return super().new_context(vars, shared, locals)
        if vars:
            merged.update(vars)
        env = self.environment
        return env.context_class(env, merged, self.name, self.blocks, globals=layers)
