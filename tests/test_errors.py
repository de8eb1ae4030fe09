"""The error branch: abort, error handler registration and lookup, the
trap and propagate settings, the 500 path, logging and signals."""

from __future__ import annotations

import logging
import typing as t

import pytest
from werkzeug.exceptions import Aborter
from werkzeug.exceptions import BadRequest
from werkzeug.exceptions import BadRequestKeyError
from werkzeug.exceptions import Forbidden
from werkzeug.exceptions import HTTPException
from werkzeug.exceptions import InternalServerError
from werkzeug.exceptions import MethodNotAllowed
from werkzeug.exceptions import NotFound

import flask
from flask import Flask
from flask import signals


class AppError(Exception):
    pass


class DatabaseError(AppError):
    pass


class ConnectionLost(DatabaseError):
    pass


class Unprocessable(HTTPException):
    code = 422
    description = "custom unprocessable"


class Unassigned(HTTPException):
    code = 599
    description = "a code werkzeug does not know"


@pytest.fixture
def prod_app(app: Flask) -> Flask:
    """The shared app with exceptions handled as in production."""
    app.testing = False
    return app


# -- abort ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "exc_class"), [(400, BadRequest), (403, Forbidden), (404, NotFound)]
)
def test_abort_raises_the_http_exception(code: int, exc_class: type) -> None:
    with pytest.raises(exc_class):
        flask.abort(code)


def test_abort_passes_arguments_to_the_exception(app: Flask, client: t.Any) -> None:
    @app.route("/")
    def index() -> str:
        flask.abort(403, description="keep out")

    response = client.get("/")
    assert response.status_code == 403
    assert b"keep out" in response.data


def test_abort_with_a_response(app: Flask, client: t.Any) -> None:
    @app.route("/")
    def index() -> str:
        flask.abort(flask.Response("teapot body", status=418))

    response = client.get("/")
    assert response.status_code == 418
    assert response.data == b"teapot body"


def test_abort_unknown_code() -> None:
    with pytest.raises(LookupError):
        flask.abort(299)


def test_abort_uses_the_app_aborter(app: Flask, client: t.Any) -> None:
    app.aborter = Aborter(extra={599: Unassigned})

    @app.route("/")
    def index() -> str:
        flask.abort(599)

    response = client.get("/")
    assert response.status_code == 599
    assert b"a code werkzeug does not know" in response.data
    # Outside an app context, Werkzeug's default aborter knows no 599.
    with pytest.raises(LookupError):
        flask.abort(599)


def test_abort_in_before_request_reaches_the_handler(app: Flask, client: t.Any) -> None:
    app.before_request(lambda: flask.abort(401))
    app.add_url_rule("/", "index", lambda: "never")
    app.register_error_handler(401, lambda e: ("please log in", 401))
    response = client.get("/")
    assert response.status_code == 401
    assert response.data == b"please log in"


def test_http_exception_description_given_per_instance(
    app: Flask, client: t.Any
) -> None:
    app.add_url_rule("/<thing>", "thing", lambda thing: flask.abort(404, f"no {thing}"))
    assert b"no apple" in client.get("/apple").data
    assert b"no pear" in client.get("/pear").data


class JsonNotFound(NotFound):
    def get_response(self, environ: t.Any = None, scope: t.Any = None) -> t.Any:
        return flask.Response(
            '{"error": "not found"}', 404, mimetype="application/json"
        )


class DescribedNotFound(NotFound):
    def __init__(self, thing: str) -> None:
        super().__init__()
        self.thing = thing

    @property  # type: ignore[override]
    def description(self) -> str:
        return f"there is no {self.thing}"

    @description.setter
    def description(self, value: str) -> None:
        pass


def test_http_exception_get_response_override_is_used(
    app: Flask, client: t.Any
) -> None:
    @app.route("/")
    def index() -> str:
        raise JsonNotFound()

    response = client.get("/")
    assert response.status_code == 404
    assert response.json == {"error": "not found"}


def test_http_exception_description_property_is_per_instance(
    app: Flask, client: t.Any
) -> None:
    app.add_url_rule(
        "/<thing>", "thing", lambda thing: _raise(DescribedNotFound(thing))
    )
    assert b"there is no apple" in client.get("/apple").data
    assert b"there is no pear" in client.get("/pear").data


def _raise(error: Exception) -> t.NoReturn:
    raise error


# -- registration ----------------------------------------------------------------------


@pytest.mark.parametrize("key", [404, NotFound])
def test_code_and_class_are_interchangeable(
    app: Flask, client: t.Any, key: t.Any
) -> None:
    app.register_error_handler(key, lambda e: (f"handled {e.code}", 404))
    app.add_url_rule("/abort", "abort", lambda: flask.abort(404))
    assert client.get("/missing").data == b"handled 404"
    assert client.get("/abort").data == b"handled 404"


def test_errorhandler_decorator_returns_the_function(app: Flask) -> None:
    def handler(e: Exception) -> str:
        return ""

    assert app.errorhandler(AppError)(handler) is handler
    assert app.error_handler_spec[None][None][AppError] is handler
    app.errorhandler(404)(handler)
    assert app.error_handler_spec[None][404][NotFound] is handler


def test_handler_must_set_the_status_itself(app: Flask, client: t.Any) -> None:
    app.register_error_handler(404, lambda e: "no status given")
    response = client.get("/missing")
    assert response.status_code == 200
    assert response.data == b"no status given"


def test_unknown_code_is_a_value_error(app: Flask) -> None:
    with pytest.raises(ValueError, match="'999' is not a recognized HTTP error code"):
        app.register_error_handler(999, lambda e: "")


def test_instance_is_a_type_error(app: Flask) -> None:
    with pytest.raises(TypeError, match=r"AppError\(\) is an instance, not a class"):
        app.register_error_handler(AppError(), lambda e: "")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "not_an_exception", [list, str, BaseException, KeyboardInterrupt]
)
def test_non_exception_class_is_a_value_error(
    app: Flask, not_an_exception: type
) -> None:
    with pytest.raises(ValueError, match="is not a subclass of Exception"):
        app.register_error_handler(not_an_exception, lambda e: "")


def test_custom_http_exception_by_class(app: Flask, client: t.Any) -> None:
    app.register_error_handler(Unassigned, lambda e: (e.description, e.code))

    @app.route("/")
    def index() -> str:
        raise Unassigned()

    response = client.get("/")
    assert response.status_code == 599
    assert response.data == b"a code werkzeug does not know"


# -- lookup along the MRO -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("registered", "raised", "expected"),
    [
        ([AppError], ConnectionLost, "AppError"),
        ([AppError, DatabaseError], ConnectionLost, "DatabaseError"),
        ([DatabaseError, AppError], ConnectionLost, "DatabaseError"),
        ([AppError, ConnectionLost], DatabaseError, "AppError"),
        ([Exception, DatabaseError], AppError, "Exception"),
        ([Exception, AppError], KeyError, "Exception"),
    ],
)
def test_most_specific_handler_wins(
    app: Flask,
    client: t.Any,
    registered: list[type[Exception]],
    raised: type[Exception],
    expected: str,
) -> None:
    for exc_class in registered:
        app.register_error_handler(exc_class, lambda e, n=exc_class.__name__: n)

    @app.route("/")
    def index() -> str:
        raise raised()

    assert client.get("/").data == expected.encode()


def test_code_handler_before_class_handler(app: Flask, client: t.Any) -> None:
    app.register_error_handler(HTTPException, lambda e: ("by class", e.code))
    app.register_error_handler(404, lambda e: ("by code", 404))
    app.add_url_rule("/forbidden", "forbidden", lambda: flask.abort(403))
    assert client.get("/missing").data == b"by code"
    assert client.get("/forbidden").data == b"by class"


def test_http_exception_handler_catches_routing_errors(
    app: Flask, client: t.Any
) -> None:
    seen = []

    @app.errorhandler(HTTPException)
    def handle(e: HTTPException) -> tuple[str, int]:
        seen.append(type(e))
        return f"http {e.code}", e.code or 500

    app.add_url_rule("/only-get", "only_get", lambda: "")
    assert client.get("/missing").data == b"http 404"
    assert client.post("/only-get").data == b"http 405"
    assert seen == [NotFound, MethodNotAllowed]


def test_routing_redirects_are_not_errors(app: Flask, client: t.Any) -> None:
    app.register_error_handler(HTTPException, lambda e: ("caught", 500))
    app.add_url_rule("/folder/", "folder", lambda: "")
    assert client.get("/folder").status_code == 308


def test_exception_handler_catches_http_errors_too(app: Flask, client: t.Any) -> None:
    app.register_error_handler(Exception, lambda e: (type(e).__name__, 500))
    assert client.get("/missing").data == b"NotFound"


def test_405_handler_sees_valid_methods(app: Flask, client: t.Any) -> None:
    @app.errorhandler(405)
    def handle(e: MethodNotAllowed) -> tuple[str, int]:
        return ",".join(sorted(e.valid_methods or ())), 405

    app.add_url_rule("/", "index", lambda: "", methods=["POST"])
    assert client.get("/").data == b"OPTIONS,POST"


# -- handle_* methods replaced on the instance ---------------------------------------------


def test_handle_http_exception_replaced_on_the_instance(
    app: Flask, client: t.Any
) -> None:
    app.handle_http_exception = lambda e: (f"custom {e.code}", e.code)  # type: ignore[method-assign,assignment]
    assert client.get("/missing").data == b"custom 404"


def test_handle_user_exception_replaced_on_the_instance(
    app: Flask, client: t.Any
) -> None:
    app.handle_user_exception = lambda e: (f"user {type(e).__name__}", 400)  # type: ignore[method-assign,assignment]

    @app.route("/")
    def index() -> str:
        raise AppError()

    response = client.get("/")
    assert (response.status_code, response.data) == (400, b"user AppError")


def test_handle_exception_replaced_on_the_instance(app: Flask, client: t.Any) -> None:
    app.handle_exception = lambda e: flask.Response(f"last resort {e}", 503)  # type: ignore[method-assign,assignment]

    @app.route("/")
    def index() -> str:
        raise AppError("oops")

    response = client.get("/")
    assert (response.status_code, response.data) == (503, b"last resort oops")


def test_log_exception_replaced_on_the_instance(prod_app: Flask, client: t.Any) -> None:
    logged = []
    prod_app.log_exception = logged.append  # type: ignore[method-assign,assignment]

    @prod_app.route("/")
    def index() -> str:
        raise AppError("logged")

    assert client.get("/").status_code == 500
    ((exc_type, exc, _tb),) = logged
    assert exc_type is AppError
    assert str(exc) == "logged"


# -- propagation and the 500 path --------------------------------------------------------


@pytest.mark.parametrize(
    ("propagate", "testing", "debug", "raises"),
    [
        (None, False, False, False),
        (None, True, False, True),
        (None, False, True, True),
        (True, False, False, True),
        (False, True, False, False),
        (False, False, True, False),
    ],
)
def test_propagate_exceptions(
    app: Flask,
    client: t.Any,
    propagate: bool | None,
    testing: bool,
    debug: bool,
    raises: bool,
) -> None:
    app.config.update(PROPAGATE_EXCEPTIONS=propagate, TESTING=testing, DEBUG=debug)

    @app.route("/")
    def index() -> str:
        raise AppError("bubbles")

    if raises:
        with pytest.raises(AppError, match="bubbles"):
            client.get("/")
    else:
        response = client.get("/")
        assert response.status_code == 500
        assert b"Internal Server Error" in response.data


def test_500_handler_receives_the_original_exception(
    prod_app: Flask, client: t.Any
) -> None:
    @prod_app.errorhandler(500)
    def handle(e: InternalServerError) -> tuple[str, int]:
        assert isinstance(e, InternalServerError)
        original = e.original_exception
        return f"wrapped {type(original).__name__}", 500

    @prod_app.route("/")
    def index() -> str:
        raise AppError()

    @prod_app.route("/direct")
    def direct() -> str:
        flask.abort(500)

    assert client.get("/").data == b"wrapped AppError"
    assert client.get("/direct").data == b"wrapped NoneType"


def test_500_handler_registered_by_class(prod_app: Flask, client: t.Any) -> None:
    prod_app.register_error_handler(InternalServerError, lambda e: ("class 500", 500))

    @prod_app.route("/")
    def index() -> str:
        raise AppError()

    assert client.get("/").data == b"class 500"


def test_500_handler_not_used_when_propagating(app: Flask, client: t.Any) -> None:
    app.register_error_handler(500, lambda e: ("handled", 500))

    @app.route("/")
    def index() -> str:
        raise AppError()

    with pytest.raises(AppError):
        client.get("/")


def test_got_request_exception_signal(app: Flask, client: t.Any) -> None:
    received = []

    def receive(sender: Flask, exception: Exception, **kwargs: t.Any) -> None:
        received.append((sender, exception))

    error = AppError("signalled")

    @app.route("/")
    def index() -> str:
        raise error

    with signals.got_request_exception.connected_to(receive, app):
        # Sent even when the exception then propagates.
        with pytest.raises(AppError):
            client.get("/")
        app.testing = False
        assert client.get("/").status_code == 500
    assert received == [(app, error), (app, error)]


def test_got_request_exception_not_sent_for_handled_errors(
    app: Flask, client: t.Any
) -> None:
    received = []
    app.register_error_handler(AppError, lambda e: ("handled", 400))

    @app.route("/")
    def index() -> str:
        raise AppError()

    with signals.got_request_exception.connected_to(
        lambda sender, **kw: received.append(kw), app
    ):
        assert client.get("/").status_code == 400
        assert client.get("/missing").status_code == 404
    assert received == []


def test_log_exception_output(
    prod_app: Flask, client: t.Any, caplog: pytest.LogCaptureFixture
) -> None:
    @prod_app.post("/explode")
    def explode() -> str:
        raise AppError("log me")

    with caplog.at_level(logging.ERROR, logger=prod_app.logger.name):
        client.post("/explode")
    (record,) = [r for r in caplog.records if r.name == prod_app.logger.name]
    assert record.levelno == logging.ERROR
    assert record.getMessage() == "Exception on /explode [POST]"
    assert record.exc_info is not None
    assert record.exc_info[0] is AppError
    assert "AppError: log me" in caplog.text


def test_handled_and_http_errors_are_not_logged(
    prod_app: Flask, client: t.Any, caplog: pytest.LogCaptureFixture
) -> None:
    prod_app.register_error_handler(AppError, lambda e: ("handled", 400))

    @prod_app.route("/")
    def index() -> str:
        raise AppError()

    with caplog.at_level(logging.DEBUG, logger=prod_app.logger.name):
        client.get("/")
        client.get("/missing")
    assert [r for r in caplog.records if r.name == prod_app.logger.name] == []


def test_default_handler_writes_to_wsgi_errors(prod_app: Flask) -> None:
    import io

    from flask.logging import default_handler

    @prod_app.route("/")
    def index() -> str:
        raise AppError("to the stream")

    stream = io.StringIO()
    logger = prod_app.logger
    added = default_handler not in logger.handlers
    if added:
        logger.addHandler(default_handler)
    try:
        prod_app.test_client().get("/", errors_stream=stream)
    finally:
        if added:
            logger.removeHandler(default_handler)
    output = stream.getvalue()
    assert "ERROR in app: Exception on / [GET]" in output
    assert "AppError: to the stream" in output


# -- errors inside error handling -------------------------------------------------------------


def test_error_in_an_error_handler_becomes_a_500(
    prod_app: Flask, client: t.Any
) -> None:
    @prod_app.errorhandler(404)
    def broken(e: NotFound) -> str:
        raise ZeroDivisionError("handler failed")

    @prod_app.errorhandler(500)
    def server_error(e: InternalServerError) -> tuple[str, int]:
        return f"500 from {type(e.original_exception).__name__}", 500

    response = client.get("/missing")
    assert response.status_code == 500
    assert response.data == b"500 from ZeroDivisionError"


def test_error_in_the_500_handler_propagates(prod_app: Flask, client: t.Any) -> None:
    @prod_app.errorhandler(500)
    def broken(e: InternalServerError) -> str:
        raise RuntimeError("the 500 handler failed")

    @prod_app.route("/")
    def index() -> str:
        raise AppError()

    with pytest.raises(RuntimeError, match="the 500 handler failed"):
        client.get("/")


@pytest.mark.parametrize("trigger", ["before", "after"])
def test_500_handler_used_for_hook_errors(
    prod_app: Flask, client: t.Any, trigger: str
) -> None:
    @prod_app.before_request
    def before() -> None:
        if trigger == "before":
            raise ZeroDivisionError

    @prod_app.after_request
    def after(response: flask.Response) -> flask.Response:
        if trigger == "after" and response.status_code == 200:
            raise ZeroDivisionError
        return response

    prod_app.add_url_rule("/", "index", lambda: "fine")
    prod_app.register_error_handler(500, lambda e: ("server error page", 500))
    response = client.get("/")
    assert response.status_code == 500
    assert response.data == b"server error page"


def test_error_while_finalizing_the_500_response_is_logged(
    prod_app: Flask, client: t.Any, caplog: pytest.LogCaptureFixture
) -> None:
    @prod_app.after_request
    def always_fails(response: flask.Response) -> flask.Response:
        raise KeyError("after_request broken")

    prod_app.add_url_rule("/", "index", lambda: "fine")
    with caplog.at_level(logging.ERROR, logger=prod_app.logger.name):
        response = client.get("/")
    assert response.status_code == 500
    assert "Request finalizing failed with an error while handling an error" in (
        caplog.text
    )


# -- bad requests and trapping ----------------------------------------------------------------


def _missing_form_key() -> str:
    return flask.request.form["missing_key"]


def test_missing_form_key_is_a_400(prod_app: Flask, client: t.Any) -> None:
    prod_app.add_url_rule("/", "index", _missing_form_key, methods=["POST"])
    assert client.post("/", data={"other": "x"}).status_code == 400


def test_missing_args_key_is_a_400_even_when_testing(app: Flask, client: t.Any) -> None:
    app.add_url_rule("/", "index", lambda: flask.request.args["q"])
    assert client.get("/").status_code == 400


def test_missing_key_shown_only_in_debug() -> None:
    def make_app(debug: bool) -> Flask:
        app = Flask(__name__)
        app.config.update(DEBUG=debug, TRAP_BAD_REQUEST_ERRORS=False)
        app.add_url_rule("/", "index", _missing_form_key, methods=["POST"])
        return app

    debug_client = make_app(True).test_client()
    prod_client = make_app(False).test_client()
    for client in (debug_client, prod_client, debug_client):
        response = client.post("/", data={})
        assert response.status_code == 400
        shown = b"KeyError: &#39;missing_key&#39;" in response.data
        assert shown is (client is debug_client)


@pytest.mark.parametrize(
    ("debug", "trap", "key_raises", "abort_raises"),
    [
        (False, None, False, False),
        (True, None, True, False),
        (False, True, True, True),
        (True, False, False, False),
    ],
)
def test_trap_bad_request_errors(
    app: Flask,
    client: t.Any,
    debug: bool,
    trap: bool | None,
    key_raises: bool,
    abort_raises: bool,
) -> None:
    app.config.update(DEBUG=debug, TRAP_BAD_REQUEST_ERRORS=trap)
    app.add_url_rule("/key", "key", _missing_form_key, methods=["POST"])
    app.add_url_rule("/abort", "abort", lambda: flask.abort(400))

    if key_raises:
        with pytest.raises(BadRequestKeyError) as exc_info:
            client.post("/key")
        assert "missing_key" in exc_info.value.get_description()
    else:
        assert client.post("/key").status_code == 400

    if abort_raises:
        with pytest.raises(BadRequest):
            client.get("/abort")
    else:
        assert client.get("/abort").status_code == 400


def test_trap_http_exceptions(app: Flask, client: t.Any) -> None:
    app.config["TRAP_HTTP_EXCEPTIONS"] = True
    app.add_url_rule("/forbidden", "forbidden", lambda: flask.abort(403))
    with pytest.raises(Forbidden):
        client.get("/forbidden")
    with pytest.raises(NotFound):
        client.get("/missing")


def test_trapped_http_exception_still_reaches_a_class_handler(
    app: Flask, client: t.Any
) -> None:
    app.config["TRAP_HTTP_EXCEPTIONS"] = True
    app.register_error_handler(NotFound, lambda e: ("class handler", 404))
    assert client.get("/missing").data == b"class handler"


def test_trapped_http_exception_is_a_500_in_production(
    prod_app: Flask, client: t.Any
) -> None:
    prod_app.config["TRAP_HTTP_EXCEPTIONS"] = True
    assert client.get("/missing").status_code == 500
