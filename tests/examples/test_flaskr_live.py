"""Flaskr's live index (``flaskr.live``) through the test client's
WebSockets: a logged-in page's socket receives each entry posted, an
anonymous handshake is refused with 403, missed entries are caught up once,
and the hub keeps no subscriber after a socket closes."""

from __future__ import annotations

import asyncio
import re
import threading

import flaskr
import pytest
from flaskr import live

from flask import WebSocketDisconnect
from flask._asgi._testclient import WebSocketRejected


@pytest.fixture
def app(tmp_path):
    app = flaskr.create_app({"DATABASE": str(tmp_path / "live.db"), "TESTING": True})
    with app.app_context():
        flaskr.init_db()
    return app


@pytest.fixture
def hub(app):
    hub = live.hub(app)
    yield hub
    assert len(hub) == 0, "a subscriber outlived its socket"


@pytest.fixture
def client(app, hub):
    return app.test_client()


@pytest.fixture
def logged_in(client):
    rv = client.post("/login", data={"username": "admin", "password": "default"})
    assert rv.status_code == 302
    return client


def post(client, title, text):
    rv = client.post("/add", data={"title": title, "text": text})
    assert rv.status_code == 302


def test_posted_entry_reaches_the_socket(logged_in, hub):
    with logged_in.websocket("/live") as ws:
        assert len(hub) == 1
        post(logged_in, "<Hello>", "<strong>HTML</strong> allowed here")
        assert ws.receive_json() == {
            "id": 1,
            "title": "<Hello>",
            "text": "HTML allowed here",
        }
    assert len(hub) == 0


def test_every_open_page_gets_the_entry(app, logged_in, hub):
    other = app.test_client()
    other.post("/login", data={"username": "admin", "password": "default"})
    with logged_in.websocket("/live") as one, other.websocket("/live") as two:
        assert len(hub) == 2
        post(other, "both", "see this")
        for ws in (one, two):
            assert ws.receive_json()["title"] == "both"
        one.send("the page says nothing; this is ignored")
        post(logged_in, "again", "x")
        for ws in (one, two):
            assert ws.receive_json()["title"] == "again"


@pytest.mark.parametrize("logout", [False, True], ids=["anonymous", "logged-out"])
def test_anonymous_handshake_is_refused(client, hub, logout):
    if logout:
        client.post("/login", data={"username": "admin", "password": "default"})
        client.get("/logout")
    with pytest.raises(WebSocketRejected) as refused:
        with client.websocket("/live"):
            pass
    assert refused.value.status_code == 403
    assert len(hub) == 0


def test_missed_entries_are_sent_first_and_once(logged_in, hub):
    post(logged_in, "seen", "rendered on the page")
    post(logged_in, "missed", "posted before the socket opened")
    with logged_in.websocket("/live", query_string={"after": 1}) as ws:
        assert ws.receive_json()["title"] == "missed"
        # The publication of an entry already caught up arrives late: skipped.
        hub.publish({"id": 2, "title": "missed", "text": "again"})
        post(logged_in, "new", "after connecting")
        assert ws.receive_json() == {
            "id": 3,
            "title": "new",
            "text": "after connecting",
        }


def test_client_closing_unsubscribes(logged_in, hub):
    ws = logged_in.websocket("/live")
    ws.connect()
    assert len(hub) == 1
    ws.close(1001)
    assert len(hub) == 0
    post(logged_in, "nobody listening", "fine")


def test_page_too_far_behind_is_closed_with_1013(logged_in, hub):
    with logged_in.websocket("/live") as ws:
        (subscription,) = hub._subscriptions  # the socket's, to flood it at once
        entries = [
            {"id": i, "title": "t", "text": ""} for i in range(live.QUEUE_SIZE + 1)
        ]
        subscription.loop.call_soon_threadsafe(
            lambda: [subscription.offer(entry) for entry in entries]
        )
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive()
        assert closed.value.code == 1013
        assert len(hub) == 0


def test_offer_replaces_a_full_queue_with_the_closing_sentinel(monkeypatch):
    monkeypatch.setattr(live, "QUEUE_SIZE", 2)
    hub = live.Hub()

    async def flood():
        with hub.subscribe() as subscription:
            for i in range(3):
                subscription.offer({"id": i})
            assert len(hub) == 0
            assert subscription.queue.qsize() == 1
            assert subscription.queue.get_nowait() is None

    asyncio.run(flood())


def test_publish_drops_a_subscription_whose_loop_has_closed():
    hub = live.Hub()
    held = hub.subscribe()  # never exited: as if the server stopped mid-connection

    async def stop_while_subscribed():
        held.__enter__()

    asyncio.run(stop_while_subscribed())
    assert len(hub) == 1
    done = threading.Thread(target=hub.publish, args=({"id": 1},))
    done.start()
    done.join(10)
    assert len(hub) == 0


def test_index_links_the_socket_only_when_logged_in(client):
    page = client.get("/").get_data(as_text=True)
    assert "data-live" not in page and "live.js" not in page
    assert "<li class=empty><em>Unbelievable. No entries here so far</em>" in page

    client.post("/login", data={"username": "admin", "password": "default"})
    page = client.get("/").get_data(as_text=True)
    assert '<ul class=entries data-live="ws://localhost/live?after=0">' in page
    assert '<script src="/static/live.js" defer></script>' in page
    post(client, "first", "one")
    post(client, "second", "two")
    page = client.get("/").get_data(as_text=True)
    assert re.search(r'data-live="[^"]*/live\?after=2"', page)
    script = client.get("/static/live.js")
    assert script.status_code == 200
    assert script.mimetype == "text/javascript"
    script.close()


def test_html_of_the_body_is_stripped_in_the_message():
    row = {"id": 7, "title": "<b>kept as text</b>", "text": "<p>a &amp; <em>b</em></p>"}
    assert live.message(row) == {
        "id": 7,
        "title": "<b>kept as text</b>",
        "text": "a & b",
    }
