"""The ``bench/asgi.py`` app of this package (views in ``asgi_flaskstyle``),
served over ASGI by the app object itself: ``uvicorn asgi_ours:app``."""

from __future__ import annotations

from asgi_flaskstyle import register

import flask

app = register(flask.Flask(__name__), flask.websocket)
