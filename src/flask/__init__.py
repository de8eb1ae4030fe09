"""A clean-room implementation of the Flask web framework."""

from __future__ import annotations

import typing as t

from . import json as json
from ._websocket import WebSocketClosed as WebSocketClosed
from ._websocket import WebSocketDisconnect as WebSocketDisconnect
from .app import Flask as Flask
from .blueprints import Blueprint as Blueprint
from .config import Config as Config
from .ctx import after_this_request as after_this_request
from .ctx import copy_current_request_context as copy_current_request_context
from .ctx import has_app_context as has_app_context
from .ctx import has_request_context as has_request_context
from .globals import current_app as current_app
from .globals import g as g
from .globals import request as request
from .globals import session as session
from .globals import websocket as websocket
from .helpers import abort as abort
from .helpers import flash as flash
from .helpers import get_flashed_messages as get_flashed_messages
from .helpers import get_template_attribute as get_template_attribute
from .helpers import make_response as make_response
from .helpers import redirect as redirect
from .helpers import send_file as send_file
from .helpers import send_from_directory as send_from_directory
from .helpers import stream_with_context as stream_with_context
from .helpers import url_for as url_for
from .json import jsonify as jsonify
from .signals import appcontext_popped as appcontext_popped
from .signals import appcontext_pushed as appcontext_pushed
from .signals import appcontext_tearing_down as appcontext_tearing_down
from .signals import before_render_template as before_render_template
from .signals import got_request_exception as got_request_exception
from .signals import message_flashed as message_flashed
from .signals import request_finished as request_finished
from .signals import request_started as request_started
from .signals import request_tearing_down as request_tearing_down
from .signals import template_rendered as template_rendered
from .templating import render_template as render_template
from .templating import render_template_string as render_template_string
from .templating import stream_template as stream_template
from .templating import stream_template_string as stream_template_string
from .wrappers import Request as Request
from .wrappers import Response as Response

_VERSION_DEPRECATED = (
    "The '__version__' attribute is deprecated and will be removed in"
    " Flask 3.2. Use feature detection or"
    " 'importlib.metadata.version(\"flask\")' instead."
)


def __getattr__(name: str) -> t.Any:
    # Only the deprecated version attribute is computed; it needs
    # importlib.metadata, which most programs never load.
    if name != "__version__":
        raise AttributeError(name)
    import importlib.metadata
    import warnings

    warnings.warn(_VERSION_DEPRECATED, DeprecationWarning, stacklevel=2)
    return importlib.metadata.version("flask")
