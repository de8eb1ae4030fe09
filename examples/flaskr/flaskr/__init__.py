"""Flaskr, the Flask tutorial's microblog: ``app`` is the application that
``flask --app flaskr`` finds; ``create_app()`` builds a fresh one."""

from .flaskr import app
from .flaskr import close_db
from .flaskr import connect_db
from .flaskr import create_app
from .flaskr import ensure_db
from .flaskr import get_db
from .flaskr import init_db

__all__ = [
    "app",
    "close_db",
    "connect_db",
    "create_app",
    "ensure_db",
    "get_db",
    "init_db",
]
