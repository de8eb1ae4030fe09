"""20.22 Deferred Request Callbacks: register, during a request, a function
to run on the response once it exists; here a ``before_request`` function
remembers the user's language in a cookie.

``app`` uses the manual's own ``after_this_request`` (callbacks kept on
``g``, run by an ``after_request`` function); ``builtin_app`` does the same
with ``flask.after_this_request``, built in since Flask 0.9, whose
callbacks must return the response.

Changes for today's Flask: none. ``guess_language_from_request`` (left to
the reader) picks the best match of the Accept-Language header.
"""

from flask import after_this_request as flask_after_this_request
from flask import Flask
from flask import g
from flask import request

LANGUAGES = ["en", "de", "fr"]


def guess_language_from_request():
    return request.accept_languages.best_match(LANGUAGES) or "en"


# 20.22.1 The Decorator


def after_this_request(f):
    if not hasattr(g, "after_request_callbacks"):
        g.after_request_callbacks = []
    g.after_request_callbacks.append(f)
    return f


app = Flask(__name__)


# 20.22.2 Calling the Deferred


@app.after_request
def call_after_request_callbacks(response):
    for callback in getattr(g, "after_request_callbacks", ()):
        callback(response)
    return response


# 20.22.3 A Practical Example


@app.before_request
def detect_user_language():
    language = request.cookies.get("user_lang")
    if language is None:
        language = guess_language_from_request()

        @after_this_request
        def remember_language(response):
            response.set_cookie("user_lang", language)

    g.language = language


@app.route("/")
def index():
    return f"language: {g.language}"


# The same with Flask's built-in after_this_request.

builtin_app = Flask(__name__)


@builtin_app.before_request
def builtin_detect_user_language():
    language = request.cookies.get("user_lang")
    if language is None:
        language = guess_language_from_request()

        @flask_after_this_request
        def remember_language(response):
            response.set_cookie("user_lang", language)
            return response

    g.language = language


@builtin_app.route("/")
def builtin_index():
    return f"language: {g.language}"
