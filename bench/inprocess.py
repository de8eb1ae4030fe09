"""In-process WSGI benchmark of a Flask application, on the public API only.

Runs unchanged on Flask 3.1.3 and on this package: it benchmarks whichever
``flask`` the interpreter imports. Each scenario's environ is built once with
``werkzeug.test.EnvironBuilder`` and copied for every call; the application is
called as a plain WSGI callable and its body consumed. Every response is
checked (status and content) before any timing. The child prints one JSON
object on stdout; ``run.py`` runs it alternately in two virtualenvs.

    python bench/inprocess.py [--rounds 5] [--batch-ms 40]
    python bench/inprocess.py --rss 10000     # memory after N requests
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import os
import statistics
import sys
import time
import traceback
from collections.abc import Callable
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
if sys.path and os.path.abspath(sys.path[0] or os.curdir) == HERE:
    sys.path.pop(0)  # bench/http.py would shadow the standard ``http`` package

from werkzeug.test import EnvironBuilder  # noqa: E402

import flask  # noqa: E402

sys.path.insert(0, os.path.join(HERE, "apps"))
import template_string  # noqa: E402

sys.path.pop(0)

FORM = {f"field{i}": f"value {i} & more" for i in range(1, 6)}
ITEMS = [{"name": f"Item <{i}> & co", "price": i * 1.25} for i in range(1, 11)]
Headers = list[tuple[str, str]]
Check = Callable[[str, Headers, bytes], None]


def create_app(variant: str = "bare") -> flask.Flask:
    """The application under test: one view per scenario.

    ``variant`` adds what real applications have beside their views (the
    scenarios of issue 16): ``"blueprint"`` a blueprint elsewhere with its
    own before/after/teardown hooks, which requests to these views never
    meet; ``"hooks"`` app-wide hooks of the kinds extensions register (a
    ``before_request``, an ``after_request``, a ``teardown_appcontext``
    and a context processor), which every request meets.
    """
    app = flask.Flask(__name__, template_folder=os.path.join(HERE, "templates"))
    app.secret_key = "bench-secret-key"

    @app.route("/")
    def hello() -> str:
        return "Hello, World!"

    @app.route("/user/<int:user_id>")
    def user(user_id: int) -> dict[str, Any]:
        return {"id": user_id, "name": f"user{user_id}", "active": True}

    @app.route("/items")
    def items() -> str:
        return flask.render_template("items.html", title="Items", items=ITEMS)

    @app.route("/form", methods=["POST"])
    def form() -> str:
        data = flask.request.form
        return "|".join(data[name] for name in FORM)

    @app.route("/session")
    def counter() -> str:
        flask.session["count"] = flask.session.get("count", 0) + 1
        return str(flask.session["count"])

    @app.route("/async")
    async def hello_async() -> str:
        return "Hello, async!"

    template_string.register(app)
    if variant == "blueprint":
        _add_blueprint_elsewhere(app)
    elif variant == "hooks":
        _add_app_wide_hooks(app)
    return app


def _add_blueprint_elsewhere(app: flask.Flask) -> None:
    admin = flask.Blueprint("admin", __name__, url_prefix="/admin")

    @admin.route("/")
    def dashboard() -> str:
        return "admin"

    admin.before_request(lambda: None)
    admin.after_request(lambda response: response)
    admin.teardown_request(lambda exc: None)
    app.register_blueprint(admin)


def _add_app_wide_hooks(app: flask.Flask) -> None:
    app.before_request(lambda: None)  # e.g. Flask-WTF's CSRF check
    app.after_request(lambda response: response)  # e.g. Flask-Login's
    app.teardown_appcontext(lambda exc: None)  # e.g. Flask-SQLAlchemy's
    app.context_processor(lambda: {"site_name": "bench"})


class Response:
    """What one WSGI call returned, body consumed."""

    def __init__(
        self, app: Callable[..., Iterable[bytes]], environ: dict[str, Any]
    ) -> None:
        self.status = ""
        self.headers: Headers = []
        result = app(environ, self._start_response)
        try:
            self.body = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()

    def _start_response(
        self, status: str, headers: Headers, exc_info: object = None
    ) -> Callable[[bytes], None]:
        self.status, self.headers = status, headers
        return lambda data: None

    def header(self, name: str) -> str:
        """The first value of a header, or ''."""
        return next((v for k, v in self.headers if k.lower() == name.lower()), "")


@dataclass
class Scenario:
    """A prebuilt request and the check its response must pass."""

    name: str
    environ: dict[str, Any]
    payload: bytes
    check: Check
    samples: list[float] = field(default_factory=list)  # wall clock, us/request
    cpu_samples: list[float] = field(default_factory=list)  # CPU time, us/request
    batch: int = 0
    app: Any = None  # the app this scenario calls

    def environ_copy(self) -> dict[str, Any]:
        """A fresh copy of the environ, with an unread input stream."""
        environ = self.environ.copy()
        environ["wsgi.input"] = io.BytesIO(self.payload)
        return environ


def expect(condition: bool, message: str) -> None:
    """Raise AssertionError with ``message`` unless ``condition`` holds."""
    if not condition:
        raise AssertionError(message)


def build(name: str, check: Check, **kwargs: Any) -> Scenario:
    """Build a scenario's environ once with EnvironBuilder."""
    builder = EnvironBuilder(**kwargs)
    try:
        environ = builder.get_environ()
    finally:
        builder.close()
    payload = environ["wsgi.input"].read()
    return Scenario(name, environ, payload, check)


def check_text(
    status: str, headers: Headers, body: bytes, text: bytes, ctype: str = "text/html"
) -> None:
    expect(status.startswith("200"), f"status {status!r}")
    expect(body == text, f"body {body[:200]!r}")
    content_type = next((v for k, v in headers if k.lower() == "content-type"), "")
    expect(content_type.startswith(ctype), f"content-type {content_type!r}")


def check_json(status: str, headers: Headers, body: bytes) -> None:
    expect(status.startswith("200"), f"status {status!r}")
    content_type = next((v for k, v in headers if k.lower() == "content-type"), "")
    expect(content_type == "application/json", f"content-type {content_type!r}")
    expect(
        json.loads(body) == {"id": 42, "name": "user42", "active": True},
        f"body {body!r}",
    )


def check_template(status: str, headers: Headers, body: bytes) -> None:
    expect(status.startswith("200"), f"status {status!r}")
    expect(body.count(b"<li class=") == 10, f"expected 10 items in {body[:300]!r}")
    expect(
        b"10. Item &lt;10&gt; &amp; co: 12.50</li>" in body,
        "autoescaped item 10 missing",
    )
    expect(b"<title>Items</title>" in body, "title missing")


def check_form(status: str, headers: Headers, body: bytes) -> None:
    check_text(status, headers, body, "|".join(FORM.values()).encode())


def check_404(status: str, headers: Headers, body: bytes) -> None:
    expect(status.startswith("404"), f"status {status!r}")
    expect(b"Not Found" in body, f"body {body[:200]!r}")


def check_session(status: str, headers: Headers, body: bytes) -> None:
    check_text(status, headers, body, b"2")
    cookie = next((v for k, v in headers if k.lower() == "set-cookie"), "")
    expect(cookie.startswith("session="), f"set-cookie {cookie!r}")


def session_scenario(app: flask.Flask, name: str = "session") -> Scenario:
    """The session scenario, carrying a cookie (count=1) the app itself made.

    If getting the cookie fails, the scenario's check re-raises that error.
    """
    try:
        login = build("login", check_session, path="/session")
        first = Response(app, login.environ_copy())
        expect(
            first.body == b"1",
            f"first session response {first.status} {first.body[:200]!r}",
        )
        cookie = first.header("Set-Cookie")
        expect(cookie.startswith("session="), f"set-cookie {cookie!r}")
    except Exception as exc:
        failed = build(name, check_session, path="/session")
        failed.check = _raiser(exc)
        return failed
    headers = {"Cookie": cookie.split(";", 1)[0]}
    return build(name, check_session, path="/session", headers=headers)


def _raiser(exc: BaseException) -> Check:
    def check(status: str, headers: Headers, body: bytes) -> None:
        raise exc

    return check


def check_hello(status: str, headers: Headers, body: bytes) -> None:
    check_text(status, headers, body, b"Hello, World!")


def make_scenarios(app: flask.Flask) -> list[Scenario]:
    """All scenarios, in the order they are reported: those of the bare
    ``app``, then the same requests to the ``blueprint`` and ``hooks``
    variants (named ``<scenario>+bp`` and ``<scenario>+hooks``)."""
    bare = [
        build("hello", check_hello, path="/"),
        build("json", check_json, path="/user/42"),
        build("template", check_template, path="/items"),
        build("form", check_form, path="/form", method="POST", data=FORM),
        build("404", check_404, path="/no/such/page"),
        session_scenario(app),
        build(
            "async",
            lambda s, h, b: check_text(s, h, b, b"Hello, async!"),
            path="/async",
        ),
        build(
            "template_string",
            lambda s, h, b: check_text(s, h, b, template_string.EXPECTED),
            path="/template-string",
        ),
    ]
    with_bp = create_app("blueprint")
    with_hooks = create_app("hooks")
    variants = [
        (with_bp, build("hello+bp", check_hello, path="/")),
        (with_bp, build("json+bp", check_json, path="/user/42")),
        (with_bp, build("404+bp", check_404, path="/no/such/page")),
        (with_hooks, build("hello+hooks", check_hello, path="/")),
        (
            with_hooks,
            build("form+hooks", check_form, path="/form", method="POST", data=FORM),
        ),
        (with_hooks, session_scenario(with_hooks, "session+hooks")),
        (with_hooks, build("template+hooks", check_template, path="/items")),
    ]
    for scenario in bare:
        scenario.app = app
    for variant_app, scenario in variants:
        scenario.app = variant_app
    return bare + [scenario for _, scenario in variants]


def verify(app: flask.Flask, scenario: Scenario) -> str | None:
    """Call the scenario twice and check both responses; return the error."""
    try:
        for _ in range(2):
            response = Response(app, scenario.environ_copy())
            scenario.check(response.status, response.headers, response.body)
    except Exception:
        return traceback.format_exc(limit=-6)
    return None


def time_batch(app: flask.Flask, scenario: Scenario, count: int) -> tuple[float, float]:
    """Wall-clock and CPU seconds taken by ``count`` calls of the scenario."""
    environ, payload, new_input = scenario.environ, scenario.payload, io.BytesIO
    start_response = _start_response
    gc.collect()
    start, start_cpu = time.perf_counter(), time.process_time()
    for _ in range(count):
        env = environ.copy()
        env["wsgi.input"] = new_input(payload)
        result = app(env, start_response)
        for _chunk in result:
            pass
        close = getattr(result, "close", None)
        if close is not None:
            close()
    return time.perf_counter() - start, time.process_time() - start_cpu


def _start_response(
    status: str, headers: Headers, exc_info: object = None
) -> Callable[[bytes], None]:
    return _write


def _write(data: bytes) -> None:
    pass


def calibrate(app: flask.Flask, scenario: Scenario, batch_seconds: float) -> int:
    """Warm up and pick a batch size lasting about ``batch_seconds``."""
    count = 10
    while True:
        elapsed = time_batch(app, scenario, count)[0]
        if elapsed >= batch_seconds / 4 or count >= 1_000_000:
            return max(10, int(count * batch_seconds / elapsed))
        count *= 4


def benchmark(rounds: int, batch_seconds: float) -> dict[str, Any]:
    """Verify every scenario, then time the good ones in alternated rounds."""
    app = create_app()
    scenarios = make_scenarios(app)
    errors = {s.name: e for s in scenarios if (e := verify(s.app, s)) is not None}
    good = [s for s in scenarios if s.name not in errors]
    for scenario in good:
        scenario.batch = calibrate(scenario.app, scenario, batch_seconds)
    for _ in range(rounds):
        for scenario in good:
            wall, cpu = time_batch(scenario.app, scenario, scenario.batch)
            scenario.samples.append(wall / scenario.batch * 1e6)
            scenario.cpu_samples.append(cpu / scenario.batch * 1e6)
    return {
        "versions": versions(),
        "scenarios": [s.name for s in scenarios],
        "samples": {s.name: s.samples for s in good},
        "cpu_samples": {s.name: s.cpu_samples for s in good},
        "median_us": {s.name: statistics.median(s.samples) for s in good},
        "batch": {s.name: s.batch for s in good},
        "errors": errors,
    }


def versions() -> dict[str, str]:
    """Versions of the framework and its main dependencies."""
    names = ("flask", "werkzeug", "jinja2", "asgiref")
    found = {name: _version(name) for name in names}
    found["python"] = sys.version.split()[0]
    return found


def _version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "missing"


def rss_kb() -> dict[str, int]:
    """VmRSS and VmHWM of this process, in KiB, from /proc/self/status."""
    values = {}
    with open("/proc/self/status") as status:
        for line in status:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0])
    return values


def memory(requests: int) -> dict[str, Any]:
    """RSS after ``requests`` requests cycling through the good scenarios."""
    app = create_app()
    scenarios = make_scenarios(app)
    errors = {s.name: e for s in scenarios if (e := verify(s.app, s)) is not None}
    good = [s for s in scenarios if s.name not in errors]
    before = rss_kb()
    per_scenario, extra = divmod(requests, len(good))
    for index, scenario in enumerate(good):
        time_batch(scenario.app, scenario, per_scenario + (index < extra))
    gc.collect()
    return {
        "versions": versions(),
        "requests": requests,
        "before_kb": before,
        "after_kb": rss_kb(),
        "errors": errors,
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--rounds", type=int, default=5, help="timed rounds per scenario"
    )
    parser.add_argument(
        "--batch-ms", type=float, default=40.0, help="duration of one timed batch"
    )
    parser.add_argument(
        "--rss", type=int, metavar="N", help="measure memory after N requests instead"
    )
    args = parser.parse_args()
    if args.rss:
        result = memory(args.rss)
    else:
        result = benchmark(args.rounds, args.batch_ms / 1000)
    json.dump(result, sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
