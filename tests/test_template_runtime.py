"""The template class and escape of an app's environment render exactly as
Jinja's own do (flask._template_runtime)."""

from __future__ import annotations

import typing as t
from collections import ChainMap

import jinja2
import markupsafe
import pytest
from werkzeug.local import LocalProxy

from flask import _template_runtime as runtime
from flask import Flask


class _Html:
    def __html__(self) -> str:
        return "<b>already safe</b>"


class _Text(str):
    pass


class _Layer(dict[str, t.Any]):
    def __missing__(self, key: str) -> str:
        return f"missing {key}"


ESCAPED = [
    "",
    "plain",
    "<a href='x'>&\"</a>",
    "é ü 日本 \x00",
    markupsafe.Markup("<i>kept</i>"),
    _Text("<sub>class</sub>"),
    _Html(),
    42,
    -7,
    10**30,
    True,
    1.5,
    float("nan"),
    -1e300,
    None,
    LocalProxy(lambda: "<proxied>"),
    b"<bytes>",
]


@pytest.mark.skipif(runtime._escape is None, reason="MarkupSafe's escape is C")
@pytest.mark.parametrize("value", ESCAPED, ids=repr)
def test_escape_is_markupsafes(value: t.Any) -> None:
    assert runtime._escape is not None
    ours, theirs = runtime._escape(value), markupsafe.escape(value)
    assert type(ours) is type(theirs) is markupsafe.Markup
    assert ours == theirs


@pytest.mark.skipif(runtime._escape is None, reason="MarkupSafe's escape is C")
def test_autoescaped_templates_use_the_fast_escape(app: Flask) -> None:
    on = app.jinja_env.from_string("{{ x }}")
    off = jinja2.Environment(autoescape=True).from_string("{{ x }}")
    assert on.root_render_func.__globals__["escape"] is runtime._escape
    assert off.root_render_func.__globals__["escape"] is markupsafe.escape


SOURCES = [
    "{{ x }} {{ y }} {{ m }}",
    "{% autoescape false %}{{ x }}{% endautoescape %} {{ x }}",
    "{% for v in [x, y, m, n] %}{{ loop.index }}={{ v }};{% endfor %}",
    "{{ x|e }} {{ x|safe }} {{ '%s'|format(x) }} {{ x ~ y }}",
    "{% macro f(a) %}<{{ a }}>{% endmacro %}{{ f(x) }}{{ f(m) }}",
    "{% set z = x %}{{ z }}{% with w = y %}{{ w }}{% endwith %}",
]


@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize("autoescape", [True, False])
def test_renders_as_jinjas_template(app: Flask, source: str, autoescape: bool) -> None:
    values = {"x": "<&'\">", "y": _Html(), "m": markupsafe.Markup("<i/>"), "n": 3}
    app.jinja_env.autoescape = autoescape
    theirs = jinja2.Environment(autoescape=autoescape).from_string(source)
    with app.app_context():
        ours = app.jinja_env.from_string(source)
        assert type(ours) is runtime.FlaskTemplate
        assert ours.render(values) == theirs.render(values)
        assert "".join(ours.generate(values)) == theirs.render(values)


def test_context_layers(app: Flask) -> None:
    """Variables over the template's own globals over the environment's,
    each read at render time."""
    env = app.jinja_env
    env.globals.update(a="env", b="env", c="env")
    template = env.from_string("{{ a }} {{ b }} {{ c }} {{ d }}", {"b": "own"})
    env.globals["d"] = "later"
    assert template.render(c="var") == "env own var later"
    template.globals["c"] = "own again"
    assert template.render() == "env own own again later"


def test_context_of_other_layers_is_jinjas(app: Flask) -> None:
    template = app.jinja_env.from_string("{{ a }} {{ zzz }}")
    template.globals.maps.insert(0, _Layer(a="layer"))
    plain = jinja2.Template.new_context(template)
    assert dict(template.new_context().parent) == dict(plain.parent)
    assert template.render() == "layer "


@pytest.mark.parametrize("shared", [True, False])
def test_new_context_with_shared_and_locals(app: Flask, shared: bool) -> None:
    template = app.jinja_env.from_string("{{ a }}", {"a": "own"})
    plain = jinja2.Template.new_context(template, {"b": 1}, shared, {"c": 2})
    ours = template.new_context({"b": 1}, shared, {"c": 2})
    assert dict(ours.parent) == dict(plain.parent)
    assert ours.globals_keys == plain.globals_keys


def test_globals_iterate_as_a_chainmap(app: Flask) -> None:
    own = {"z": 1, "url_for": "mine"}
    ours = app.jinja_env.make_globals(own)
    theirs = ChainMap(own, app.jinja_env.globals)
    assert list(ours) == list(theirs)
    ours.maps.append({"extra": 1})
    theirs.maps.append({"extra": 1})
    assert list(ours) == list(theirs)
