"""The ``bench/asgi.py`` app on Quart (views in ``asgi_flaskstyle``):
``uvicorn asgi_quart:app``."""

from __future__ import annotations

import quart
from asgi_flaskstyle import register

app = register(quart.Quart(__name__), quart.websocket)
