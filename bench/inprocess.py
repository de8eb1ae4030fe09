"""In-process WSGI benchmark of a Flask application, on the public API only.

Runs unchanged on Flask 3.1.3 and on this package: it benchmarks whichever
``flask`` the interpreter imports. Each scenario's environ is built once with
``werkzeug.test.EnvironBuilder`` and copied for every call; the application is
called as a plain WSGI callable and its body consumed. Every response is
checked (status and content) before any timing. The child prints one JSON
object on stdout; ``run.py`` runs it alternately in two virtualenvs.

    python bench/inprocess.py [--rounds 5] [--batch-ms 40]
    python bench/inprocess.py --rss 10000     # memory after N requests
    python bench/inprocess.py --breakdown 3   # where extensions_app's time goes
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import os
import re
import signal
import statistics
import sys
import time
import traceback
from collections import Counter
from collections.abc import Callable
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version
from typing import Any
from urllib.parse import urlsplit

HERE = os.path.dirname(os.path.abspath(__file__))
if sys.path and os.path.abspath(sys.path[0] or os.curdir) == HERE:
    sys.path.pop(0)  # bench/http.py would shadow the standard ``http`` package

import markupsafe  # noqa: E402
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
        return header(self.headers, name)


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


def make_environ(**kwargs: Any) -> tuple[dict[str, Any], bytes]:
    """An environ built with EnvironBuilder, and its input stream's bytes."""
    builder = EnvironBuilder(**kwargs)
    try:
        environ = builder.get_environ()
    finally:
        builder.close()
    return environ, environ["wsgi.input"].read()


def build(name: str, check: Check, **kwargs: Any) -> Scenario:
    """Build a scenario's environ once with EnvironBuilder."""
    return Scenario(name, *make_environ(**kwargs), check)


def header(headers: Headers, name: str) -> str:
    """The first value of a header, or ''."""
    return next((v for k, v in headers if k.lower() == name.lower()), "")


def check_ok(status: str, headers: Headers, ctype: str = "text/html") -> None:
    expect(status.startswith("200"), f"status {status!r}")
    content_type = header(headers, "content-type")
    expect(content_type.startswith(ctype), f"content-type {content_type!r}")


def check_text(
    status: str, headers: Headers, body: bytes, text: bytes, ctype: str = "text/html"
) -> None:
    check_ok(status, headers, ctype)
    expect(body == text, f"body {body[:200]!r}")


def check_json(status: str, headers: Headers, body: bytes) -> None:
    expect(status.startswith("200"), f"status {status!r}")
    content_type = header(headers, "content-type")
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
    cookie = header(headers, "set-cookie")
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


# Scenario (d) of issue 16: examples/extensions_app with its real extensions.
EXAMPLES = os.path.join(os.path.dirname(HERE), "examples")
EXT_NAMES = ("ext-index", "ext-index-user", "ext-post")
EXT_USER, EXT_PASSWORD = "bench", "bench password"
EXT_SEEDED = 12  # three pages of five: the index shows a pager
EXT_NEW_POST = {"title": "A new post <b>& more</b>", "body": "Some text & more."}
CSRF_INPUT = re.compile(rb'<input[^>]*name="?csrf_token"?[^>]*value="([^"]+)"')


class Browser:
    """Calls an app the way a browser would, keeping its session cookie."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.cookie = ""

    def request(self, path: str, **kwargs: Any) -> Response:
        """Send one request with the current cookie; keep the one it sets."""
        headers = {"Cookie": self.cookie} if self.cookie else {}
        environ, payload = make_environ(path=path, headers=headers, **kwargs)
        environ["wsgi.input"] = io.BytesIO(payload)
        response = Response(self.app, environ)
        cookie = response.header("Set-Cookie")
        if cookie.startswith("session="):
            self.cookie = cookie.split(";", 1)[0]
        return response

    def csrf_token(self, path: str) -> str:
        """The CSRF token of the form on page ``path``."""
        page = self.request(path)
        found = CSRF_INPUT.search(page.body)
        expect(
            page.status.startswith("200") and found is not None,
            f"no CSRF token on {path}: {page.status} {page.body[:300]!r}",
        )
        assert found is not None
        return found.group(1).decode()


def extension_scenarios() -> list[Scenario]:
    """The (d) scenarios: ``examples/extensions_app`` (Flask-Login,
    Flask-SQLAlchemy on SQLite, Flask-WTF) served in-process.

    The index, anonymous and logged in (through the app's own login form,
    once, the session cookie reused), and a new post with a valid CSRF token
    taken from the form page. Each app has its own in-memory SQLite database
    (no disk I/O timed; the same on both sides): the index app's 12 seeded
    posts never change, while the posting app gains one row per request, a
    few hundred at most in a run, gone with the process. If setting up fails, each
    scenario's check raises that error.
    """
    try:
        sys.path.insert(0, EXAMPLES)
        try:
            import extensions_app
        finally:
            sys.path.remove(EXAMPLES)
        reader, writer = (_seeded_app(extensions_app) for _ in range(2))
        user = _logged_in(reader)
        poster = _logged_in(writer)
        token = poster.csrf_token("/create")
        scenarios = [
            (reader, build(EXT_NAMES[0], ext_index_check(False), path="/")),
            (
                reader,
                build(
                    EXT_NAMES[1],
                    ext_index_check(True),
                    path="/",
                    headers={"Cookie": user.cookie},
                ),
            ),
            (
                writer,
                build(
                    EXT_NAMES[2],
                    PostCheck(writer, extensions_app),
                    path="/create",
                    method="POST",
                    data={"csrf_token": token, **EXT_NEW_POST},
                    headers={"Cookie": poster.cookie},
                ),
            ),
        ]
    except Exception as exc:
        scenarios = [(_unavailable, build(n, _raiser(exc))) for n in EXT_NAMES]
    for app, scenario in scenarios:
        scenario.app = app
    return [scenario for _, scenario in scenarios]


def _unavailable(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    """Stands in for an app that could not be set up (its check says why)."""
    start_response("503 SERVICE UNAVAILABLE", [])
    return []


def _seeded_app(module: Any) -> Any:
    """A new app on a fresh in-memory database with one user and 12 posts."""
    app = module.create_app(
        {"SECRET_KEY": "bench-secret-key", "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    )
    with app.app_context():
        user = module.User(username=EXT_USER)
        user.set_password(EXT_PASSWORD)
        module.db.session.add(user)
        module.db.session.add_all(
            module.Post(title=_seeded_title(n), body=f"Body {n} & co", author=user)
            for n in range(1, EXT_SEEDED + 1)
        )
        module.db.session.commit()
    return app


def _seeded_title(number: int) -> str:
    return f"Post {number} <i>& co</i>"


def _logged_in(app: Any) -> Browser:
    """A browser logged in through the login form, its welcome flash shown."""
    browser = Browser(app)
    token = browser.csrf_token("/auth/login")
    login = browser.request(
        "/auth/login",
        method="POST",
        data={"csrf_token": token, "username": EXT_USER, "password": EXT_PASSWORD},
    )
    expect(login.status.startswith("302"), f"login: {login.status} {login.body!r}")
    welcome = browser.request("/")
    expect(b"Welcome back" in welcome.body, f"no welcome flash: {welcome.body!r}")
    return browser


def ext_index_check(logged_in: bool) -> Check:
    """The first index page: the five newest seeded posts, escaped, a pager,
    who is logged in, and no flash left over."""
    titles = [
        str(markupsafe.escape(_seeded_title(n)))
        for n in range(EXT_SEEDED, EXT_SEEDED - 5, -1)
    ]
    who = b"Logged in as " + EXT_USER.encode() if logged_in else b"Not logged in"

    def check(status: str, headers: Headers, body: bytes) -> None:
        check_ok(status, headers)
        text = body.decode()
        expect(re.findall(r"<h2>(.*?)</h2>", text) == titles, f"posts in {text!r}")
        expect(who in body, f"{who!r} missing")
        expect(b"Page 1 of 3 (12 posts)" in body, "pager missing")
        expect(b'class="flash' not in body, "a flash message left over")
        has_logout = CSRF_INPUT.search(body) is not None and b"/create" in body
        expect(has_logout == logged_in, "logout form and new post link")

    return check


class PostCheck:
    """A new post: a redirect to the index, the flash in the session cookie,
    and exactly one more row in the database, by the logged-in user."""

    def __init__(self, app: Any, module: Any) -> None:
        self.app, self.module = app, module
        self.count = self._rows()[0]

    def _rows(self) -> tuple[int, Any]:
        db, post = self.module.db, self.module.Post
        with self.app.app_context():
            count = db.session.scalar(db.select(db.func.count(post.id)))
            newest = db.session.scalars(
                db.select(post).order_by(post.id.desc()).limit(1)
            ).one()
            return count, (newest.title, newest.body, newest.author.username)

    def __call__(self, status: str, headers: Headers, body: bytes) -> None:
        expect(status.startswith("302"), f"status {status!r}, body {body[:300]!r}")
        location = header(headers, "location")
        expect(urlsplit(location).path == "/", f"location {location!r}")
        cookie = header(headers, "set-cookie")
        expect(cookie.startswith("session="), f"set-cookie {cookie!r}")
        count, newest = self._rows()
        expect(count == self.count + 1, f"{count} posts after {self.count}")
        wanted = (EXT_NEW_POST["title"], EXT_NEW_POST["body"], EXT_USER)
        expect(newest == wanted, f"newest post {newest!r}")
        self.count = count


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
    scenarios = make_scenarios(app) + extension_scenarios()
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


# Where a (d) request's time goes: the innermost frame outside the standard
# library decides, so SQLite's C calls count for SQLAlchemy, url_for called
# from a template for the framework, the user loader for the database.
PACKAGE_GROUPS = {
    "sqlalchemy": "database",
    "flask_sqlalchemy": "database",
    "jinja2": "Jinja",
    "markupsafe": "Jinja",
    "wtforms": "forms",
    "flask_wtf": "forms",
    "flask_login": "Flask-Login",
    "flask": "framework",
    "werkzeug": "framework",
    "itsdangerous": "framework",
    "blinker": "framework",
}
STDLIB = os.path.dirname(os.__file__) + os.sep


def _group(frame: Any) -> str:
    """The group of the innermost frame outside the standard library."""
    while frame is not None:
        path = frame.f_code.co_filename
        if "site-packages" + os.sep in path:
            package = path.split("site-packages" + os.sep, 1)[1].split(os.sep, 1)[0]
            return PACKAGE_GROUPS.get(package, "other")
        if path.endswith(".html"):
            return "Jinja"  # a compiled template's code
        if EXAMPLES in path:
            return "app"
        if not path.startswith(STDLIB) and not path.startswith("<frozen"):
            return "other"  # the benchmark's own loop
        frame = frame.f_back
    return "other"


def _sampled(scenario: Scenario, count: int) -> Counter[str]:
    """Run ``count`` requests; count the groups found every ms of CPU time."""
    counts: Counter[str] = Counter()
    previous = signal.signal(
        signal.SIGPROF, lambda signum, frame: counts.update((_group(frame),))
    )
    signal.setitimer(signal.ITIMER_PROF, 0.001, 0.001)
    try:
        time_batch(scenario.app, scenario, count)
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)
    return counts


def breakdown(seconds: float) -> dict[str, Any]:
    """Shares of each (d) request's CPU time by package group, sampling the
    stack every millisecond of CPU time for about ``seconds`` a scenario."""
    scenarios = extension_scenarios()
    errors = {s.name: e for s in scenarios if (e := verify(s.app, s)) is not None}
    shares: dict[str, dict[str, float]] = {}
    for scenario in (s for s in scenarios if s.name not in errors):
        counts = _sampled(scenario, calibrate(scenario.app, scenario, seconds))
        total = counts.total()
        shares[scenario.name] = {
            group: round(n / total, 3) for group, n in counts.most_common()
        }
    return {"versions": versions(), "shares": shares, "errors": errors}


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
    parser.add_argument(
        "--breakdown",
        type=float,
        metavar="SECONDS",
        help="instead, sample where the time of each extensions_app request goes",
    )
    args = parser.parse_args()
    if args.rss:
        result = memory(args.rss)
    elif args.breakdown:
        result = breakdown(args.breakdown)
    else:
        result = benchmark(args.rounds, args.batch_ms / 1000)
    json.dump(result, sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
