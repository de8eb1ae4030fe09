"""20.18 Lazily Loading Views: a central URL map built with
``add_url_rule``, whose views are imported only when first called.

``create_central_app()`` is 20.18.1 (central URL map, views imported up
front); ``create_app()`` is 20.18.2 (``LazyView`` and the ``url()``
helper). ``app`` is the lazy one.

Changes for today's Werkzeug: ``import_string`` and ``cached_property``
are imported from ``werkzeug.utils`` (``from werkzeug import ...`` was
removed in Werkzeug 1.0). The manual routes ``/user/`` and
``/user/<username>`` to ``user(username)``, which fails for ``/user/``;
``username`` defaults to None here. The package is ``patterns.lazyapp``
instead of ``yourapplication``.
"""

from flask import Flask

from .helpers import LazyView


def create_central_app():
    from . import views

    app = Flask(__name__)
    app.add_url_rule("/", view_func=views.index)
    app.add_url_rule("/user/<username>", view_func=views.user)
    return app


def create_app():
    app = Flask(__name__)

    def url(import_name, url_rules=[], **options):  # noqa: B006 - the manual's signature
        view = LazyView("patterns.lazyapp." + import_name)
        for url_rule in url_rules:
            app.add_url_rule(url_rule, view_func=view, **options)

    # add a single route to the index view
    url("views.index", ["/"])

    # add two routes to a single function endpoint
    url_rules = ["/user/", "/user/<username>"]
    url("views.user", url_rules)
    return app


app = create_app()
