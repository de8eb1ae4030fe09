"""``flask run --asgi`` serves the app over ASGI with uvicorn."""

from __future__ import annotations

import urllib.request
from pathlib import Path

from asgi_helpers import free_port
from asgi_helpers import served

APP = """
from flask import Flask, request
app = Flask(__name__)

@app.route("/")
async def index():
    return request.environ["asgi.scope"]["type"]
"""


def test_flask_run_asgi(tmp_path: Path):
    (tmp_path / "asgi_hello.py").write_text(APP)
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    argv = ["-m", "flask", "--app", "asgi_hello", "run", "--asgi", "--port", str(port)]
    with served(argv, tmp_path, url):
        with urllib.request.urlopen(url, timeout=10) as reply:
            assert reply.read() == b"http"
            assert "uvicorn" in reply.headers.get("server", "")
