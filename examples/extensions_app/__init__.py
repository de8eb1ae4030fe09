"""A small blog built with three real Flask extensions, the way the community
guide (chapters "Authorization and authentication", "Flask-SQLAlchemy",
"Flask-WTF", "Message Flashing" and "Pagination") uses them:

* **Flask-SQLAlchemy**: ``User`` has many ``Post`` (a one-to-many
  relationship, bidirectional through ``back_populates``); the index pages
  through every post with ``db.paginate`` and a user's page with the legacy
  ``Query.paginate``.
* **Flask-Login**: a ``LoginManager`` with a ``user_loader`` callback, the
  ``User`` model inheriting ``UserMixin``, ``login_user``/``logout_user``,
  ``login_required`` views redirecting to the login view, ``current_user``
  in templates.
* **Flask-WTF**: ``FlaskForm`` classes with validators; ``CSRFProtect``
  rejects any POST without a valid token with 400.

Run it from ``examples/``::

    flask --app extensions_app run --debug

The database is ``extensions_app.db`` in the instance folder unless
``SQLALCHEMY_DATABASE_URI`` says otherwise; its tables are created when the
application is.
"""

from __future__ import annotations

import typing as t

from flask import Flask

from .extensions import csrf
from .extensions import db
from .extensions import login_manager
from .models import Post
from .models import User


def create_app(config: t.Mapping[str, t.Any] | None = None) -> Flask:
    """Application factory: the extensions are created unbound in
    :mod:`.extensions` and bound here with ``init_app``, so any number of
    applications (one per test, say) can share them."""
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY="dev",  # override in production
        SQLALCHEMY_DATABASE_URI="sqlite:///extensions_app.db",  # instance folder
        POSTS_PER_PAGE=5,
    )
    app.config.from_prefixed_env("EXTENSIONS_APP")
    if config is not None:
        app.config.update(config)

    db.init_app(app)
    login_manager.init_app(app)
    csrf.init_app(app)

    from . import auth
    from . import blog

    app.register_blueprint(auth.bp)
    app.register_blueprint(blog.bp)

    with app.app_context():
        db.create_all()
    return app


__all__ = ["Post", "User", "create_app", "csrf", "db", "login_manager"]
