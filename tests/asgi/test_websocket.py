"""WebSocket routes: registration, the ``websocket`` object, the app's
machinery around a connection, limits, and the test client (plain and
async)."""

from __future__ import annotations

import asyncio
import threading

import pytest

from flask import abort
from flask import Blueprint
from flask import current_app
from flask import Flask
from flask import g
from flask import session
from flask import url_for
from flask import websocket
from flask import WebSocketClosed
from flask import WebSocketDisconnect
from flask._asgi._testclient import WebSocketRejected


def test_echo_plain_handler_in_a_worker_thread(app, client):
    @app.websocket("/echo")
    def echo():
        where = threading.current_thread().name
        while True:
            message = websocket.receive()
            websocket.send(
                message if isinstance(message, bytes) else f"{where}:{message}"
            )

    with client.websocket("/echo") as ws:
        ws.send("hi")
        assert ws.receive().startswith("flask-asgi")
        ws.send(b"\x00\x01")
        assert ws.receive() == b"\x00\x01"


def test_async_handler_on_the_loop(app, client):
    @app.websocket("/echo")
    async def echo():
        loop = asyncio.get_running_loop()
        await websocket.send(f"{threading.current_thread().name}:{loop is not None}")
        while True:
            await websocket.send((await websocket.receive()).upper())

    with client.websocket("/echo") as ws:
        assert ws.receive() == "flask-ws-test:True"
        ws.send("abc")
        assert ws.receive() == "ABC"


def test_handshake_request_fields(app, client):
    @app.websocket("/info/<int:n>")
    async def info(n: int):
        await websocket.send_json(
            {
                "n": n,
                "path": websocket.path,
                "args": websocket.args.to_dict(),
                "header": websocket.headers.get("X-Token"),
                "cookie": websocket.cookies.get("c"),
                "scheme": websocket.scheme,
                "host": websocket.host,
                "remote_addr": websocket.remote_addr,
                "protocols": websocket.requested_subprotocols,
            }
        )

    client.set_cookie("c", "v")
    with client.websocket(
        "/info/3?q=1", headers={"X-Token": "t"}, subprotocols=["chat", "v2"]
    ) as ws:
        assert ws.receive_json() == {
            "n": 3,
            "path": "/info/3",
            "args": {"q": "1"},
            "header": "t",
            "cookie": "v",
            "scheme": "ws",
            "host": "localhost",
            "remote_addr": "127.0.0.1",
            "protocols": ["chat", "v2"],
        }


def test_accept_with_subprotocol_and_headers(app, client):
    @app.websocket("/chat")
    async def chat():
        await websocket.accept(subprotocol="v2", headers={"X-Server": "yes"})
        await websocket.close(4001, "bye")

    with client.websocket("/chat", subprotocols=["v2"]) as ws:
        assert ws.subprotocol == "v2"
        assert ("x-server", "yes") in ws.headers
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive()
        assert closed.value.code == 4001


@pytest.mark.parametrize("how", ["abort", "hook", "close"])
def test_refusing_the_handshake(app, client, how):
    @app.before_websocket
    def check():
        if how == "hook":
            return "no entry", 401
        return None

    @app.websocket("/private")
    def private():
        if how == "abort":
            abort(403)
        websocket.close()

    with pytest.raises(WebSocketRejected) as refused:
        with client.websocket("/private"):
            pass
    expected = {"abort": 403, "hook": 401, "close": 403}[how]
    assert refused.value.status_code == expected
    if how == "hook":
        assert refused.value.body == b"no entry"


def test_routing_errors_refuse_the_handshake(app, client):
    @app.route("/http-only")
    def http_only():
        return "x"

    with pytest.raises(WebSocketRejected) as missing:
        with client.websocket("/nowhere"):
            pass
    assert missing.value.status_code == 404
    with pytest.raises(WebSocketRejected) as mismatch:
        with client.websocket("/http-only"):
            pass
    assert mismatch.value.status_code == 400


def test_plain_http_to_a_websocket_rule_is_a_400(app, client):
    app.add_websocket("/ws", "ws", lambda: None)
    assert client.get("/ws").status_code == 400
    upgraded = client.get(
        "/ws", headers={"Upgrade": "websocket", "Connection": "Upgrade"}
    )
    assert upgraded.status_code == 400
    assert b"ASGI server" in upgraded.data


def test_session_g_current_app_and_hooks(app, client):
    order = []
    outer = Blueprint("outer", __name__, url_prefix="/o")
    inner = Blueprint("inner", __name__, url_prefix="/i")

    @app.before_websocket
    def app_before():
        g.user = session.get("user")
        order.append("app before")

    @outer.before_websocket
    async def outer_before():
        order.append("outer before")

    @inner.before_websocket
    def inner_before():
        order.append("inner before")

    @inner.after_websocket
    def inner_after(response):
        order.append(("inner after", response))

    @app.after_websocket
    async def app_after(response):
        order.append(("app after", response))

    @app.teardown_request
    def torn(exc):
        order.append("teardown")

    @inner.websocket("/room/<name>")
    async def room(name):
        await websocket.send(f"{current_app.name}:{g.user}:{name}")
        await websocket.send(url_for("outer.inner.room", name="x", _external=True))

    outer.register_blueprint(inner)
    app.register_blueprint(outer)

    @app.route("/login")
    def login():
        session["user"] = "ada"
        return "ok"

    client.get("/login")
    order.clear()  # the login request's own teardown
    with client.websocket("/o/i/room/lobby") as ws:
        assert ws.receive() == "flask_test:ada:lobby"
        assert ws.receive() == "ws://localhost/o/i/room/x"
    assert order == [
        "app before",
        "outer before",
        "inner before",
        ("inner after", None),
        ("app after", None),
        "teardown",
    ]


def test_error_handler_and_close_codes(app, client):
    class Boom(Exception):
        pass

    @app.errorhandler(Boom)
    def handle(e):
        return "handled", 500

    @app.websocket("/boom")
    async def boom():
        await websocket.accept()
        raise Boom()

    with client.websocket("/boom") as ws:
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive()
    assert closed.value.code == 1011


def test_unhandled_error_propagates_in_testing(app, client):
    @app.websocket("/boom")
    async def boom():
        await websocket.accept()
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        with client.websocket("/boom") as ws:
            ws.receive()


def test_message_size_limit(app, client):
    app.config["WEBSOCKET_MAX_MESSAGE_SIZE"] = 10
    seen = []

    @app.websocket("/ws")
    async def ws_view():
        try:
            await websocket.receive()
        except WebSocketDisconnect as e:
            seen.append(e.code)
            raise

    with client.websocket("/ws") as ws:
        ws.send("x" * 11)
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive()
    assert closed.value.code == 1009
    assert seen == [1009]


def test_idle_timeout(app, client):
    app.config["WEBSOCKET_IDLE_TIMEOUT"] = 0.05

    @app.websocket("/ws")
    def ws_view():
        websocket.receive()

    with client.websocket("/ws") as ws:
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive()
    assert closed.value.code == 1001


def test_send_after_close_and_receive_after_the_peer_left(app, client):
    outcome = {}
    left = threading.Event()

    @app.websocket("/ws")
    def ws_view():
        websocket.accept()
        websocket.close()
        try:
            websocket.send("late")
        except WebSocketClosed as e:
            outcome["send"] = type(e).__name__
        with pytest.raises(WebSocketDisconnect):
            websocket.receive()
        outcome["receive"] = "WebSocketDisconnect"
        left.set()

    with client.websocket("/ws") as ws:
        with pytest.raises(WebSocketDisconnect):
            ws.receive()
    assert left.wait(5)
    assert outcome == {"send": "WebSocketClosed", "receive": "WebSocketDisconnect"}


def test_send_rejects_other_types(app, client):
    errors = []

    @app.websocket("/ws")
    async def ws_view():
        try:
            await websocket.send({"not": "text"})
        except TypeError as e:
            errors.append(str(e))
        await websocket.send("ok")

    with client.websocket("/ws") as ws:
        assert ws.receive() == "ok"
    assert "send_json" in errors[0]


def test_websocket_outside_a_handler_is_a_clear_error(app, client):
    @app.route("/")
    def index():
        return websocket.path

    with pytest.raises(RuntimeError, match="only available in a WebSocket handler"):
        client.get("/")


def test_async_test_client(app, client):
    @app.websocket("/echo")
    async def echo():
        while True:
            await websocket.send(await websocket.receive())

    async def scenario():
        async with client.websocket("/echo") as ws:
            await ws.send("one")
            assert await ws.receive() == "one"
            await ws.send_json({"a": 1})
            assert await ws.receive_json() == {"a": 1}

    asyncio.run(scenario())


def test_websocket_methods_cannot_be_registered_late(app, client):
    app.add_url_rule("/", "index", lambda: "x")
    client.get("/")
    with pytest.raises(AssertionError):
        app.websocket("/late")(lambda: None)
    with pytest.raises(TypeError):
        Flask("other").add_websocket("/x", methods=["POST"])


def test_test_client_ends_a_pending_receive_when_the_app_closes():
    app = Flask(__name__)
    seen = []

    @app.websocket("/ws")
    async def close_while_receiving():
        async def close_soon():
            await asyncio.sleep(0.01)
            await websocket.close(1013)

        closing = asyncio.ensure_future(close_soon())
        try:
            await websocket.receive()
        except WebSocketDisconnect as e:
            seen.append(e.code)
        await closing

    with app.test_client().websocket("/ws", timeout=1) as ws:
        with pytest.raises(WebSocketDisconnect):
            ws.receive()
    assert seen == [1013]
