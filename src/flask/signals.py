"""The named signals Flask sends, on one blinker namespace.

Senders check ``receivers`` first where a signal is sent on every request,
so a signal nobody listens to costs one attribute read.
"""

from __future__ import annotations

from blinker import Namespace

_signal = Namespace().signal

# Requests, in the order they are sent.
request_started = _signal("request-started")
got_request_exception = _signal("got-request-exception")
request_finished = _signal("request-finished")
request_tearing_down = _signal("request-tearing-down")

# Application contexts.
appcontext_pushed = _signal("appcontext-pushed")
appcontext_tearing_down = _signal("appcontext-tearing-down")
appcontext_popped = _signal("appcontext-popped")

# Templates and flashing.
before_render_template = _signal("before-render-template")
template_rendered = _signal("template-rendered")
message_flashed = _signal("message-flashed")
