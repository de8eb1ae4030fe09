"""Flaskr's live index: every open index page of a logged-in user shows a
new entry as soon as it is posted, over a WebSocket (``/live``).

The pieces:

- :class:`Hub`, one per application (``app.extensions["flaskr.live"]``),
  in the server process's memory: each connected page subscribes a
  bounded :class:`asyncio.Queue` on the loop that serves it, and
  :meth:`Hub.publish`, called by the ``add_entry`` view from its worker
  thread, hands the entry to every queue with ``call_soon_threadsafe``.
- :func:`live_entries`, the ``async def`` WebSocket handler: one per open
  page, holding no thread while it waits.
- ``static/live.js``, which the index page loads for a logged-in user; it
  inserts each entry with ``textContent`` and does nothing at all when the
  socket can't connect (under a WSGI server), so the page works as before.

The hub is in-process: with several server processes, a page sees only
the entries posted through its own process (a deployment with several
workers would publish through a broker such as Redis or PostgreSQL's
LISTEN/NOTIFY instead).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import typing as t

from markupsafe import Markup

from flask import abort
from flask import current_app
from flask import Flask
from flask import session
from flask import websocket
from flask import WebSocketClosed
from flask import WebSocketDisconnect

#: Messages a page may fall behind by before it is dropped (closed with
#: 1013, "try again later"), so that a stalled browser can't make the
#: server hold an ever-growing queue.
QUEUE_SIZE = 100

Entry = dict[str, t.Any]


class Subscription:
    """One page's queue, fed on the loop that serves that page."""

    def __init__(self, hub: Hub, loop: asyncio.AbstractEventLoop) -> None:
        self.hub = hub
        self.loop = loop
        self.queue: asyncio.Queue[Entry | None] = asyncio.Queue(QUEUE_SIZE)

    def offer(self, entry: Entry) -> None:
        """Queue ``entry`` (on :attr:`loop`). A full queue is replaced by a
        single None, which tells the handler to close, and the page gets
        nothing more."""
        if not self.queue.full():
            self.queue.put_nowait(entry)
            return
        self.hub.unsubscribe(self)
        while not self.queue.empty():
            self.queue.get_nowait()
        self.queue.put_nowait(None)


class Hub:
    """The pages listening for new entries, and the way to reach them from
    any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscriptions: set[Subscription] = set()

    def __len__(self) -> int:
        """How many pages are subscribed."""
        with self._lock:
            return len(self._subscriptions)

    @contextlib.contextmanager
    def subscribe(self) -> t.Iterator[Subscription]:
        """Subscribe a queue on the running loop for the block, and
        unsubscribe it however the block ends."""
        subscription = Subscription(self, asyncio.get_running_loop())
        with self._lock:
            self._subscriptions.add(subscription)
        try:
            yield subscription
        finally:
            self.unsubscribe(subscription)

    def unsubscribe(self, subscription: Subscription) -> None:
        with self._lock:
            self._subscriptions.discard(subscription)

    def publish(self, entry: Entry) -> None:
        """Hand ``entry`` to every subscribed page; callable from any thread.
        A subscription whose loop has closed is dropped."""
        with self._lock:
            subscriptions = list(self._subscriptions)
        for subscription in subscriptions:
            try:
                subscription.loop.call_soon_threadsafe(subscription.offer, entry)
            except RuntimeError:  # that loop is closed: its server has stopped
                self.unsubscribe(subscription)


def init_app(app: Flask) -> None:
    """Give ``app`` its hub and the ``/live`` WebSocket route."""
    app.extensions["flaskr.live"] = Hub()
    app.add_websocket("/live", view_func=live_entries)


def hub(app: Flask | None = None) -> Hub:
    """The hub of ``app`` (default: the current app)."""
    app = current_app if app is None else app
    return app.extensions["flaskr.live"]  # type: ignore[no-any-return]


def message(row: t.Mapping[str, t.Any]) -> Entry:
    """What a page receives for an entry: its ``id``, its ``title`` and its
    ``text`` without the HTML tags (the page inserts both as text; the
    formatted body shows on its next load)."""
    return {
        "id": row["id"],
        "title": row["title"],
        "text": Markup(row["text"]).striptags(),
    }


async def live_entries() -> None:
    """Send the index page each new entry, as JSON (see :func:`message`),
    until the page goes away.

    Only a logged-in session may connect: an anonymous handshake is refused
    with 403, and the page's script connects only when logged in. Entries
    are public, so this hides nothing from anyone; what it bounds is the
    cost: every live page holds a socket and a queue on the server for as
    long as it stays open, and only someone with the password can make the
    server hold them. Anonymous readers get the page as it always was (a
    reload shows new entries). The session is read on the handshake only:
    logging out elsewhere doesn't close a page already connected.

    ``?after=ID`` (the newest entry the page shows) first sends the entries
    posted since, so that none is lost between rendering the page and
    connecting; each is sent once.

    The handler is ``async def`` so that an open page holds no worker
    thread (a plain one would hold a thread per page). Messages from the
    page are ignored.
    """
    if not session.get("logged_in"):
        abort(403)
    after = websocket.args.get("after", type=int)
    with hub().subscribe() as subscription:
        # Subscribed before accepting, so that an entry posted once the page
        # is connected reaches it; and before reading what was missed, so
        # that an entry committed after the read reaches the queue.
        await websocket.accept()
        missed = [] if after is None else await asyncio.to_thread(_entries_after, after)
        receiving = asyncio.ensure_future(_until_closed())
        sending = asyncio.ensure_future(_send_entries(subscription, missed))
        tasks = {receiving, sending}
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.wait(tasks)
        for task in tasks:
            if not task.cancelled():
                task.result()  # an unexpected error is this handler's error


def _entries_after(after: int) -> list[Entry]:
    """The entries newer than ``after``, oldest first (in a worker thread:
    SQLite may wait for a writer)."""
    from .flaskr import connect_db  # here: flaskr.py imports this module

    db = connect_db()
    try:
        rows = db.execute(
            "select id, title, text from entries where id > ? order by id", [after]
        ).fetchall()
    finally:
        db.close()
    return [message(row) for row in rows]


async def _until_closed() -> None:
    """Read (and ignore) the page's messages until it goes away."""
    with contextlib.suppress(WebSocketDisconnect):
        while True:
            await websocket.receive()


async def _send_entries(subscription: Subscription, missed: list[Entry]) -> None:
    """Send ``missed``, then each published entry (skipping those already
    sent); close with 1013 if the page fell too far behind."""
    sent = {entry["id"] for entry in missed}
    try:
        for entry in missed:
            await websocket.send_json(entry)
        while (published := await subscription.queue.get()) is not None:
            if published["id"] in sent:
                sent.discard(published["id"])
                continue
            await websocket.send_json(published)
        await websocket.close(1013, "too far behind")
    except (WebSocketDisconnect, WebSocketClosed):
        pass  # the page has gone
