"""The ``template_string`` scenario's view: ``render_template_string`` of a
small inline template (a loop, autoescaping, a filter).

``bench/inprocess.py`` registers :func:`register` on its app; run alone
(``gunicorn template_string:app`` from ``bench/apps/``) it serves the same
view on ``/``. Public Flask API only, so it runs on either package.
"""

from __future__ import annotations

import flask

SOURCE = (
    "<h1>{{ title|title }}</h1><ul>"
    "{% for tag in tags %}<li>{{ loop.index }}. {{ tag }}</li>{% endfor %}"
    "</ul>"
)
TAGS = ["<b>bold</b>", "a & b", "plain"]
EXPECTED = (
    b"<h1>Tag List</h1><ul><li>1. &lt;b&gt;bold&lt;/b&gt;</li>"
    b"<li>2. a &amp; b</li><li>3. plain</li></ul>"
)


def render() -> str:
    """The view: the same source string on every request."""
    return flask.render_template_string(SOURCE, title="tag list", tags=TAGS)


def register(app: flask.Flask, rule: str = "/template-string") -> None:
    """Add the view to ``app`` at ``rule``."""
    app.add_url_rule(rule, "template_string", render)


app = flask.Flask(__name__)
register(app, "/")
