"""Async views and handlers on the WSGI app.

Coroutines run on one event loop per thread (``flask._async``), not on a
new thread and loop per call as with asgiref. asgiref is hidden from
every test here: nothing may need it.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import gc
import inspect
import os
import sys
import threading
import traceback
import typing as t

import pytest

import flask
from flask import Blueprint
from flask import Flask
from flask import g
from flask import request
from flask import session
from flask.views import MethodView
from flask.views import View


@pytest.fixture(autouse=True)
def _hide_asgiref(monkeypatch: pytest.MonkeyPatch) -> None:
    """``import asgiref`` fails for the duration of each test."""
    for name in [m for m in sys.modules if m.startswith("asgiref.")]:
        monkeypatch.setitem(sys.modules, name, None)  # type: ignore[arg-type]
    monkeypatch.setitem(sys.modules, "asgiref", None)  # type: ignore[arg-type]
    monkeypatch.setitem(sys.modules, "asgiref.sync", None)  # type: ignore[arg-type]


class AppError(Exception):
    pass


class BlueprintError(Exception):
    pass


class AsyncView(View):
    methods = ["GET", "POST"]

    async def dispatch_request(self) -> str:  # type: ignore[override]
        await asyncio.sleep(0)
        return f"view {request.method}"


class AsyncOnceView(AsyncView):
    init_every_request = False


class AsyncMethodView(MethodView):
    async def get(self) -> str:
        await asyncio.sleep(0)
        return f"methodview {request.method}"

    async def post(self) -> str:
        await asyncio.sleep(0)
        return f"methodview {request.method}"


@pytest.fixture
def async_app(app: Flask) -> Flask:
    @app.route("/", methods=["GET", "POST"])
    async def index() -> str:
        await asyncio.sleep(0)
        return f"index {request.method}"

    @app.errorhandler(AppError)
    async def app_error(e: Exception) -> tuple[str, int]:
        await asyncio.sleep(0)
        return "app handler", 412

    @app.route("/error")
    async def error() -> str:
        raise AppError()

    bp = Blueprint("bp", __name__)

    @bp.route("/", methods=["GET", "POST"])
    async def bp_index() -> str:
        await asyncio.sleep(0)
        return f"bp {request.method}"

    @bp.errorhandler(BlueprintError)
    async def bp_error_handler(e: Exception) -> tuple[str, int]:
        return "bp handler", 412

    @bp.route("/error")
    async def bp_error() -> str:
        raise BlueprintError()

    app.register_blueprint(bp, url_prefix="/bp")
    app.add_url_rule("/view", view_func=AsyncView.as_view("view"))
    app.add_url_rule("/once", view_func=AsyncOnceView.as_view("once"))
    app.add_url_rule("/methodview", view_func=AsyncMethodView.as_view("methodview"))
    return app


def test_asgiref_is_hidden() -> None:
    with pytest.raises(ImportError):
        import asgiref  # noqa: F401
    with pytest.raises(ImportError):
        import asgiref.sync  # noqa: F401


@pytest.mark.parametrize(
    ("path", "label"),
    [
        ("/", "index"),
        ("/bp/", "bp"),
        ("/view", "view"),
        ("/once", "view"),
        ("/methodview", "methodview"),
    ],
)
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_async_views(async_app: Flask, path: str, label: str, method: str) -> None:
    rv = async_app.test_client().open(path, method=method)
    assert rv.status_code == 200
    assert rv.data == f"{label} {method}".encode()


def test_async_method_view_head_uses_get(async_app: Flask) -> None:
    rv = async_app.test_client().head("/methodview")
    assert (rv.status_code, rv.data) == (200, b"")


@pytest.mark.parametrize(
    ("path", "body"), [("/error", b"app handler"), ("/bp/error", b"bp handler")]
)
def test_async_error_handlers(async_app: Flask, path: str, body: bytes) -> None:
    rv = async_app.test_client().get(path)
    assert (rv.status_code, rv.data) == (412, body)


def test_async_http_error_handler(app: Flask, client: t.Any) -> None:
    @app.errorhandler(404)
    async def not_found(e: Exception) -> tuple[str, int]:
        return f"nothing at {request.path}", 404

    rv = client.get("/missing")
    assert (rv.status_code, rv.data) == (404, b"nothing at /missing")


@pytest.mark.parametrize("on_blueprint", [False, True])
def test_async_request_hooks(app: Flask, client: t.Any, on_blueprint: bool) -> None:
    calls: list[str] = []
    scaffold: Flask | Blueprint = Blueprint("bp", __name__) if on_blueprint else app

    @scaffold.before_request
    async def before() -> None:
        await asyncio.sleep(0)
        g.before = "set by async before_request"
        calls.append("before")

    @scaffold.after_request
    async def after(response: flask.Response) -> flask.Response:
        await asyncio.sleep(0)
        response.headers["X-After"] = "async"
        calls.append("after")
        return response

    @scaffold.teardown_request
    async def teardown(exc: BaseException | None) -> None:
        calls.append(f"teardown {exc!r}")

    @scaffold.route("/")
    def index() -> str:
        return g.before  # type: ignore[no-any-return]

    @app.teardown_appcontext
    async def teardown_app(exc: BaseException | None) -> None:
        calls.append("teardown_appcontext")

    if isinstance(scaffold, Blueprint):
        app.register_blueprint(scaffold)
    rv = client.get("/")
    assert rv.data == b"set by async before_request"
    assert rv.headers["X-After"] == "async"
    assert calls == ["before", "after", "teardown None", "teardown_appcontext"]


def test_async_before_request_can_answer(app: Flask, client: t.Any) -> None:
    @app.before_request
    async def stop() -> str | None:
        return "stopped early" if request.args.get("stop") else None

    @app.route("/")
    async def index() -> str:
        return "view ran"

    assert client.get("/?stop=1").data == b"stopped early"
    assert client.get("/").data == b"view ran"


def test_async_context_processor(app: Flask, client: t.Any) -> None:
    @app.context_processor
    async def inject() -> dict[str, str]:
        await asyncio.sleep(0)
        return {"greeting": f"hello {request.args['name']}"}

    @app.route("/")
    async def index() -> str:
        return flask.render_template_string("{{ greeting }}")

    assert client.get("/?name=ann").data == b"hello ann"


def test_async_view_with_after_this_request(app: Flask, client: t.Any) -> None:
    @app.route("/")
    async def index() -> str:
        @flask.after_this_request
        def add_header(response: flask.Response) -> flask.Response:
            response.headers["X-Later"] = "1"
            return response

        return "ok"

    assert client.get("/").headers["X-Later"] == "1"


# -- ensure_sync and async_to_sync -------------------------------------------


@pytest.mark.parametrize("method", ["ensure_sync", "async_to_sync"])
def test_signatures(method: str) -> None:
    params = list(inspect.signature(getattr(Flask, method)).parameters)
    assert params == ["self", "func"]


def test_ensure_sync_returns_sync_functions_unchanged(app: Flask) -> None:
    def plain() -> str:
        return "plain"

    assert app.ensure_sync(plain) is plain


async def double(x: int) -> int:
    await asyncio.sleep(0)
    return x * 2


@pytest.mark.parametrize(
    "func", [double, functools.partial(double)], ids=["function", "partial"]
)
@pytest.mark.parametrize("method", ["ensure_sync", "async_to_sync"])
def test_coroutine_functions_become_sync(app: Flask, func: t.Any, method: str) -> None:
    wrapped = getattr(app, method)(func)
    assert not inspect.iscoroutinefunction(wrapped)
    assert wrapped(21) == 42
    assert wrapped(x=5) == 10


def test_ensure_sync_outside_any_context(app: Flask) -> None:
    async def where() -> bool:
        return flask.has_app_context()

    assert app.ensure_sync(where)() is False


def test_wrapper_keeps_name_and_doc(app: Flask) -> None:
    async def documented() -> None:
        """Doc of the coroutine function."""

    wrapped = app.async_to_sync(documented)
    assert wrapped.__name__ == "documented"
    assert wrapped.__doc__ == "Doc of the coroutine function."


# -- contexts inside coroutines ----------------------------------------------


def test_request_context_visible_in_coroutine(app: Flask, client: t.Any) -> None:
    @app.before_request
    def set_user() -> None:
        g.user = "ann"

    @app.route("/<name>")
    async def index(name: str) -> dict[str, t.Any]:
        session["seen"] = True
        await asyncio.sleep(0)
        return {
            "path": request.path,
            "arg": request.args["q"],
            "name": name,
            "user": g.user,
            "app": flask.current_app.name,
            "blueprint": request.blueprint,
            "has_request": flask.has_request_context(),
        }

    rv = client.get("/x?q=1")
    assert rv.json == {
        "path": "/x",
        "arg": "1",
        "name": "x",
        "user": "ann",
        "app": app.name,
        "blueprint": None,
        "has_request": True,
    }
    assert "session" in rv.headers["Set-Cookie"]


request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id")


def test_context_variables_set_in_coroutine_reach_the_caller(
    app: Flask, client: t.Any
) -> None:
    @app.before_request
    async def assign_id() -> None:
        request_id.set(f"id-{request.args['n']}")

    @app.route("/")
    def index() -> str:
        return request_id.get("unset")

    assert client.get("/?n=1").data == b"id-1"
    assert client.get("/?n=2").data == b"id-2"


def test_context_variables_copied_back_even_on_error(app: Flask) -> None:
    async def set_then_fail() -> None:
        request_id.set("before failing")
        raise AppError()

    def run() -> str:
        with pytest.raises(AppError):
            app.ensure_sync(set_then_fail)()
        return request_id.get("unset")

    assert contextvars.copy_context().run(run) == "before failing"


def test_pushing_a_context_inside_a_coroutine(app: Flask) -> None:
    async def inner() -> str:
        with app.test_request_context("/inner"):
            await asyncio.sleep(0)
            return request.path

    assert app.ensure_sync(inner)() == "/inner"
    assert not flask.has_request_context()


# -- one loop per thread -----------------------------------------------------


def loop_recording_app() -> tuple[Flask, list[asyncio.AbstractEventLoop]]:
    app = Flask("loops")
    loops: list[asyncio.AbstractEventLoop] = []

    @app.route("/")
    async def index() -> str:
        loops.append(asyncio.get_running_loop())
        return "ok"

    return app, loops


def test_loop_reused_across_requests_in_a_thread() -> None:
    app, loops = loop_recording_app()
    client = app.test_client()
    for _ in range(5):
        assert client.get("/").data == b"ok"
    assert len(loops) == 5
    assert all(loop is loops[0] for loop in loops)
    assert not loops[0].is_closed()
    assert not loops[0].is_running()


def test_threads_get_their_own_loops_closed_at_exit() -> None:
    app, _ = loop_recording_app()
    per_thread: dict[str, list[asyncio.AbstractEventLoop]] = {}
    both_running = threading.Barrier(2, timeout=30)

    @app.route("/wait")
    async def wait() -> str:
        # Both threads are alive and running a coroutine at once.
        both_running.wait()
        name = threading.current_thread().name
        per_thread.setdefault(name, []).append(asyncio.get_running_loop())
        return "ok"

    def work() -> None:
        client = app.test_client()
        for _ in range(3):
            assert client.get("/wait").data == b"ok"

    threads = [threading.Thread(target=work, name=f"worker-{i}") for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(per_thread) == ["worker-0", "worker-1"]
    first, second = (per_thread[name] for name in sorted(per_thread))
    assert len(first) == len(second) == 3
    assert all(loop is first[0] for loop in first)
    assert all(loop is second[0] for loop in second)
    assert first[0] is not second[0]
    # The threads ended: their loops were closed without help.
    assert first[0].is_closed() and second[0].is_closed()
    gc.collect()


def test_thread_loop_differs_from_main_loop() -> None:
    app, loops = loop_recording_app()
    app.test_client().get("/")
    thread = threading.Thread(target=lambda: app.test_client().get("/"))
    thread.start()
    thread.join()
    main_loop, thread_loop = loops
    assert main_loop is not thread_loop
    assert thread_loop.is_closed()
    assert not main_loop.is_closed()


def test_many_calls_leave_no_tasks() -> None:
    app, loops = loop_recording_app()
    client = app.test_client()
    for _ in range(20):
        client.get("/")
    assert asyncio.all_tasks(loops[0]) == set()


# -- calls made while a loop runs ----------------------------------------------


def test_nested_ensure_sync_from_sync_code(app: Flask, client: t.Any) -> None:
    loops: dict[str, asyncio.AbstractEventLoop] = {}

    async def lookup(key: str) -> str:
        loops["inner"] = asyncio.get_running_loop()
        await asyncio.sleep(0)
        return f"{key} for {request.path}"

    def legacy_helper(key: str) -> str:
        # Synchronous code that happens to call a coroutine function.
        return flask.current_app.ensure_sync(lookup)(key)  # type: ignore[no-any-return]

    @app.route("/nested")
    async def nested() -> str:
        loops["outer"] = asyncio.get_running_loop()
        return legacy_helper("value")

    assert client.get("/nested").data == b"value for /nested"
    assert loops["inner"] is not loops["outer"]
    assert loops["inner"].is_closed()
    assert not loops["outer"].is_closed()


def test_three_levels_of_nesting(app: Flask) -> None:
    async def level(n: int) -> list[int]:
        if n == 0:
            return [0]
        rest: list[int] = app.ensure_sync(level)(n - 1)
        return [n, *rest]

    assert app.ensure_sync(level)(3) == [3, 2, 1, 0]


def test_nested_call_sets_context_variables_for_its_caller(app: Flask) -> None:
    async def inner() -> None:
        request_id.set("from the nested call")

    async def outer() -> str:
        app.ensure_sync(inner)()
        return request_id.get("unset")

    assert contextvars.copy_context().run(app.ensure_sync(outer)) == (
        "from the nested call"
    )


# -- exceptions --------------------------------------------------------------


class CustomError(Exception):
    pass


def raise_custom() -> None:
    raise CustomError("with a message")


@pytest.mark.parametrize("nested", [False, True])
def test_exceptions_propagate_unchanged(app: Flask, nested: bool) -> None:
    async def failing() -> None:
        await asyncio.sleep(0)
        raise_custom()

    async def outer() -> None:
        app.ensure_sync(failing)()

    with pytest.raises(CustomError, match="with a message") as info:
        app.ensure_sync(outer if nested else failing)()
    frames = [frame.name for frame in traceback.extract_tb(info.value.__traceback__)]
    assert "raise_custom" in frames


@pytest.mark.parametrize("error", [KeyError("k"), flask.abort, StopIteration])
def test_exception_types_survive(app: Flask, error: t.Any) -> None:
    async def failing() -> None:
        if error is flask.abort:
            flask.abort(418)
        raise error

    expected = type(error) if isinstance(error, BaseException) else Exception
    if error is StopIteration:
        # A coroutine cannot let StopIteration escape; Python turns it
        # into a RuntimeError, with or without an event loop.
        expected = RuntimeError
    with pytest.raises(expected):
        app.ensure_sync(failing)()


def test_unhandled_async_error_gives_500(app: Flask) -> None:
    app.testing = False

    @app.route("/")
    async def index() -> str:
        raise CustomError()

    assert app.test_client().get("/").status_code == 500


def test_loop_still_usable_after_an_error(app: Flask) -> None:
    async def fail() -> None:
        raise CustomError()

    async def succeed() -> str:
        return "fine"

    for _ in range(3):
        with pytest.raises(CustomError):
            app.ensure_sync(fail)()
        assert app.ensure_sync(succeed)() == "fine"


# -- tasks left running -------------------------------------------------------


def test_spawned_tasks_are_cancelled_when_the_call_returns(
    app: Flask, client: t.Any
) -> None:
    state: dict[str, t.Any] = {}

    async def background() -> None:
        try:
            await asyncio.Event().wait()
        finally:
            state["cleaned up"] = True

    async def quick() -> str:
        return "done"

    @app.route("/")
    async def index() -> str:
        state["background"] = asyncio.get_running_loop().create_task(background())
        finished = asyncio.ensure_future(quick())
        state["finished"] = finished
        await finished
        await asyncio.sleep(0)
        return "responded"

    assert client.get("/").data == b"responded"
    assert state["background"].cancelled()
    assert state["cleaned up"] is True
    assert state["finished"].result() == "done"


def test_task_failing_during_cancellation_is_reported(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    async def stubborn() -> None:
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            raise CustomError("while cancelling") from None

    async def spawn() -> str:
        asyncio.get_running_loop().create_task(stubborn())
        await asyncio.sleep(0)
        return "spawned"

    with caplog.at_level("ERROR", logger="asyncio"):
        assert app.ensure_sync(spawn)() == "spawned"
    assert any(
        isinstance(r.exc_info[1] if r.exc_info else None, CustomError)
        for r in caplog.records
    )


def test_gathered_tasks_finish_inside_the_call(app: Flask) -> None:
    async def item(n: int) -> int:
        await asyncio.sleep(0)
        return n * n

    async def fan_out() -> list[int]:
        return list(await asyncio.gather(*(item(n) for n in range(5))))

    assert app.ensure_sync(fan_out)() == [0, 1, 4, 9, 16]


# -- fork --------------------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_forked_child_does_not_use_the_parents_loop(app: Flask) -> None:
    async def running_loop() -> asyncio.AbstractEventLoop:
        return asyncio.get_running_loop()

    run = app.ensure_sync(running_loop)
    parent_loop = run()
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child reports through the pipe
        try:
            child_loop = run()
            ok = child_loop is not parent_loop and not parent_loop.is_closed()
            os.write(write_fd, b"ok" if ok else b"reused")
        except BaseException as e:
            os.write(write_fd, repr(e).encode())
        finally:
            os._exit(0)
    os.close(write_fd)
    with os.fdopen(read_fd, "rb") as reader:
        report = reader.read()
    os.waitpid(pid, 0)
    assert report == b"ok"
    assert run() is parent_loop
