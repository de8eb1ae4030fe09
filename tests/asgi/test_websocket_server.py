"""WebSocket routes through a real uvicorn (subprocess on loopback),
driven by the ``websockets`` client: echo from plain and async handlers,
the session checked on the handshake, a refused handshake's status, and
many connections at once."""

from __future__ import annotations

import typing as t
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from asgi_helpers import free_port
from asgi_helpers import served
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

APP = """
from flask import Flask, abort, session, websocket

app = Flask(__name__)
app.secret_key = "server test"

@app.route("/login")
def login():
    session["user"] = "ada"
    return "ok"

@app.websocket("/echo")
def echo():
    while True:
        websocket.send(websocket.receive())

@app.websocket("/aecho")
async def aecho():
    while True:
        await websocket.send(await websocket.receive())

@app.websocket("/me")
async def me():
    if "user" not in session:
        abort(403)
    await websocket.send(session["user"])
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> t.Iterator[str]:
    folder = tmp_path_factory.mktemp("ws-app")
    (folder / "ws_app.py").write_text(APP)
    port = free_port()
    argv = [
        "-m",
        "uvicorn",
        "ws_app:app",
        "--port",
        str(port),
        "--log-level",
        "warning",
    ]
    with served(argv, folder, f"http://127.0.0.1:{port}/login"):
        yield f"127.0.0.1:{port}"


@pytest.mark.parametrize("path", ["/echo", "/aecho"])
def test_echo(server, path):
    with connect(f"ws://{server}{path}", open_timeout=10) as ws:
        for message in ["hello", b"\x00bytes", "x" * 70_000]:
            ws.send(message)
            assert ws.recv(timeout=10) == message


def test_session_checked_on_the_handshake(server):
    with urllib.request.urlopen(f"http://{server}/login", timeout=10) as reply:
        cookie = reply.headers["Set-Cookie"].split(";")[0]
    with connect(
        f"ws://{server}/me", additional_headers={"Cookie": cookie}, open_timeout=10
    ) as ws:
        assert ws.recv(timeout=10) == "ada"
    with pytest.raises(InvalidStatus) as refused:
        connect(f"ws://{server}/me", open_timeout=10)
    assert refused.value.response.status_code == 403


def test_many_connections_at_once(server):
    def one(i: int) -> str:
        with connect(f"ws://{server}/aecho", open_timeout=30) as ws:
            ws.send(f"m{i}")
            return t.cast(str, ws.recv(timeout=30))

    with ThreadPoolExecutor(20) as pool:
        assert sorted(pool.map(one, range(100))) == sorted(f"m{i}" for i in range(100))


def test_client_leaving_does_not_stop_the_server(server):
    with connect(f"ws://{server}/echo", open_timeout=10) as ws:
        ws.send("x")
        ws.recv(timeout=10)
        ws.socket.close()  # gone without a closing handshake
    with connect(f"ws://{server}/echo", open_timeout=10) as again:
        again.send("still here")
        assert again.recv(timeout=10) == "still here"
