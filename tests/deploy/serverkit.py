"""Helpers for the deployment tests: a Flaskr site on disk (settings file with
a real SECRET_KEY, initialised SQLite database), real WSGI servers (and an
nginx in front of uWSGI) and ASGI servers (uvicorn, hypercorn, granian) run
as subprocesses on free loopback ports, an HTTP client with a cookie jar,
and process inspection through /proc.

Everything is bounded: servers must answer within ``READY_TIMEOUT`` seconds,
every HTTP request has a timeout, and stopping a server escalates from
SIGTERM to SIGKILL after ``STOP_TIMEOUT`` seconds."""

from __future__ import annotations

import dataclasses
import http.client
import http.cookiejar
import json
import os
import secrets
import shutil
import signal
import socket
import struct
import subprocess
import sys
import time
import typing as t
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
FLASKR_PROJECT = REPO / "examples" / "flaskr"
HOST = "127.0.0.1"
READY_TIMEOUT = 90.0  # the machine is shared and busy: generous, but bounded
STOP_TIMEOUT = 15.0
REQUEST_TIMEOUT = 30.0


def unique(prefix: str) -> str:
    """``prefix`` with a random suffix: a title, tag or name no other test
    run uses."""
    return f"{prefix}-{secrets.token_hex(6)}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def clean_env(extra: t.Mapping[str, str]) -> dict[str, str]:
    """The test process's environment without FLASK*/PYTHONPATH settings."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("FLASK", "PYTHONPATH"))
    }
    env.update(extra)
    return env


# -- a Flaskr site ------------------------------------------------------------


@dataclasses.dataclass
class FlaskrSite:
    """Configuration shared by every server of one deployment: the settings
    file (``FLASKR_SETTINGS``) with the SECRET_KEY and the database file."""

    directory: Path
    settings: Path
    database: Path
    secret_key: str
    username: str = "admin"
    password: str = "default"

    @property
    def env(self) -> dict[str, str]:
        return clean_env(
            {
                "FLASKR_SETTINGS": str(self.settings),
                "FLASKR_DATABASE": str(self.database),
            }
        )


def make_flaskr_site(directory: Path) -> FlaskrSite:
    """Write a settings file with a random SECRET_KEY and create the database
    with ``flask --app flaskr init-db``, as a deployment would."""
    directory.mkdir(parents=True, exist_ok=True)
    secret_key = secrets.token_hex(32)
    settings = directory / "settings.py"
    settings.write_text(f"SECRET_KEY = {secret_key!r}\n")
    site = FlaskrSite(directory, settings, directory / "flaskr.db", secret_key)
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "flaskr", "init-db"],
        cwd=FLASKR_PROJECT,
        env=site.env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert site.database.exists()
    return site


# -- the extensions example --------------------------------------------------

EXAMPLES = REPO / "examples"
DEPLOY_DIR = Path(__file__).resolve().parent


@dataclasses.dataclass
class ExtensionsSite:
    """A deployment of examples/extensions_app: its SECRET_KEY and SQLite
    database, given as ``EXTENSIONS_APP_*`` variables (the app reads them
    with ``from_prefixed_env``, which parses values as JSON: hence the
    quoted key). The app creates its tables when it starts."""

    directory: Path
    database: Path
    secret_key: str

    @property
    def env(self) -> dict[str, str]:
        return clean_env(
            {
                "EXTENSIONS_APP_SECRET_KEY": json.dumps(self.secret_key),
                "EXTENSIONS_APP_SQLALCHEMY_DATABASE_URI": f"sqlite:///{self.database}",
            }
        )


def make_extensions_site(directory: Path) -> ExtensionsSite:
    directory.mkdir(parents=True, exist_ok=True)
    return ExtensionsSite(directory, directory / "blog.db", secrets.token_hex(32))


def with_pythonpath(env: t.Mapping[str, str], *directories: Path) -> dict[str, str]:
    """``env`` with PYTHONPATH set to ``directories``: where a server
    imports a wrapper module (tests/deploy) and the example it wraps."""
    return {**env, "PYTHONPATH": os.pathsep.join(str(d) for d in directories)}


# -- servers ------------------------------------------------------------------


def gunicorn_argv(
    port: int,
    *,
    workers: int = 2,
    access_log: Path | None = None,
    app: str = "flaskr:create_app()",
    pythonpath: Path | None = None,
    worker_class: str = "sync",
) -> list[str]:
    """``gunicorn -w 2 -b 127.0.0.1:PORT --chdir examples/flaskr
    'flaskr:create_app()'``, as docs/deployment.md shows it (``-k
    uvicorn_worker.UvicornWorker`` for ASGI workers)."""
    argv = [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        str(workers),
        "--worker-class",
        worker_class,
        "--bind",
        f"{HOST}:{port}",
        "--chdir",
        str(FLASKR_PROJECT),
        # gunicorn 27 opens a control socket in ~/.gunicorn by default;
        # several servers at once (tests, benchmarks) must not share it.
        "--no-control-socket",
        "--graceful-timeout",
        "5",
        "--timeout",
        "60",
    ]
    if access_log is not None:
        # %(p)s is the pid of the worker that served the request.
        argv += [
            "--access-logfile",
            str(access_log),
            "--access-logformat",
            '%(p)s "%(r)s" %(s)s',
        ]
    if pythonpath is not None:
        argv += ["--pythonpath", str(pythonpath)]
    return argv + [app]


def waitress_argv(port: int) -> list[str]:
    """``waitress-serve --listen=127.0.0.1:PORT --call flaskr:create_app``
    run from examples/flaskr (waitress adds the current directory to
    sys.path)."""
    return [
        sys.executable,
        "-m",
        "waitress",
        f"--listen={HOST}:{port}",
        "--threads=4",
        "--call",
        "flaskr:create_app",
    ]


def uvicorn_argv(
    port: int, app: str, *, factory: bool = False, reset_contextvars: bool = False
) -> list[str]:
    """``uvicorn [--factory] APP --host 127.0.0.1 --port PORT``, one
    process; ``reset_contextvars`` adds uvicorn's ``--reset-contextvars``
    (a fresh context for each request)."""
    argv = [sys.executable, "-m", "uvicorn", app, "--host", HOST, "--port", str(port)]
    if factory:
        argv.append("--factory")
    if reset_contextvars:
        argv.append("--reset-contextvars")
    return argv


def hypercorn_argv(port: int, app: str, *, force_asgi: bool = True) -> list[str]:
    """``hypercorn --bind 127.0.0.1:PORT asgi:APP``. The ``asgi:`` prefix
    forces ASGI: without it (``force_asgi=False``), before Python 3.12,
    hypercorn's detection (inspect's iscoroutinefunction) takes the app
    object for WSGI and serves it so. ``APP`` may call a factory:
    ``module:create_app()``."""
    target = f"asgi:{app}" if force_asgi else app
    return [sys.executable, "-m", "hypercorn", "--bind", f"{HOST}:{port}", target]


# granian's console script, next to the interpreter running the tests.
GRANIAN = Path(sys.executable).with_name("granian")


def granian_argv(port: int, app: str, *, factory: bool = False) -> list[str]:
    """``granian --interface asgi [--factory] --host 127.0.0.1 --port PORT
    --workers 1 APP``."""
    argv = [str(GRANIAN), "--interface", "asgi", "--host", HOST, "--port", str(port)]
    argv += ["--workers", "1"]
    if factory:
        argv.append("--factory")
    return argv + [app]


# pyuwsgi's console script, next to the interpreter running the tests.
UWSGI = Path(sys.executable).with_name("uwsgi")
# A unix socket's path must fit in sockaddr_un.sun_path (108 bytes on Linux).
MAX_SOCKET_PATH = 107


def uwsgi_argv(port: int, *, processes: int = 2) -> list[str]:
    """``uwsgi --http 127.0.0.1:PORT --master -p 2 --chdir examples/flaskr
    -w 'flaskr:create_app()' --need-app --die-on-term``: uWSGI answering
    HTTP itself, the quick form of docs/deployment.md."""
    return [
        str(UWSGI),
        "--http",
        f"{HOST}:{port}",
        "--master",
        "-p",
        str(processes),
        "--chdir",
        str(FLASKR_PROJECT),
        "-w",
        "flaskr:create_app()",
        "--need-app",
        "--die-on-term",
    ]


def write_uwsgi_ini(path: Path, socket_path: Path, *, processes: int = 2) -> Path:
    """Write docs/deployment.md's ``flaskr.ini`` to ``path``: Flaskr's factory
    on the uwsgi protocol over ``socket_path``. The settings come from the
    environment uWSGI starts in (pyuwsgi's Python never sees ``env =``)."""
    assert len(str(socket_path)) <= MAX_SOCKET_PATH, (
        f"socket path too long: {socket_path}"
    )
    path.write_text(
        "[uwsgi]\n"
        f"chdir = {FLASKR_PROJECT}\n"
        "module = flaskr:create_app()\n"
        "master = true\n"
        f"processes = {processes}\n"
        f"socket = {socket_path}\n"
        "chmod-socket = 660\n"
        "vacuum = true\n"
        "die-on-term = true\n"
        "need-app = true\n"
    )
    return path


def find_nginx() -> str | None:
    """The nginx binary on PATH or Debian's /usr/sbin/nginx, else None."""
    found = shutil.which("nginx")
    if found is None and os.access("/usr/sbin/nginx", os.X_OK):
        found = "/usr/sbin/nginx"
    return found


def nginx_conf_dir(nginx: str) -> Path:
    """The directory of the build's nginx.conf (``nginx -V``'s
    ``--conf-path``), where the package keeps ``uwsgi_params`` and
    ``mime.types``."""
    built = subprocess.run(
        [nginx, "-V"], capture_output=True, text=True, timeout=30
    ).stderr
    for option in built.split():
        if option.startswith("--conf-path="):
            return Path(option.partition("=")[2]).parent
    return Path("/etc/nginx")


def write_nginx_conf(
    directory: Path, port: int, socket_path: Path, conf_dir: Path
) -> Path:
    """Write ``directory/nginx.conf``: one foreground process on
    127.0.0.1:PORT serving Flaskr's static files itself and passing every
    other request to uWSGI on ``socket_path`` (``uwsgi_pass``), as
    docs/deployment.md shows. Pid, access log and temporary files go under
    ``directory``; the error log goes to stderr."""

    def q(value: Path | str) -> str:
        return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'

    conf = directory / "nginx.conf"
    temp = {
        name: directory / f"{name}_temp"
        for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    }
    conf.write_text(
        f"""daemon off;
master_process off;
pid {q(directory / "nginx.pid")};
lock_file {q(directory / "nginx.lock")};
error_log stderr notice;
events {{
    worker_connections 64;
}}
http {{
    include {q(conf_dir / "mime.types")};
    default_type application/octet-stream;
    access_log {q(directory / "access.log")};
    client_body_temp_path {q(temp["client_body"])};
    proxy_temp_path {q(temp["proxy"])};
    fastcgi_temp_path {q(temp["fastcgi"])};
    uwsgi_temp_path {q(temp["uwsgi"])};
    scgi_temp_path {q(temp["scgi"])};
    server {{
        listen {HOST}:{port};
        location /static/ {{
            alias {q(f"{FLASKR_PROJECT / 'flaskr' / 'static'}/")};
        }}
        location / {{
            include {q(conf_dir / "uwsgi_params")};
            uwsgi_pass {q(f"unix:{socket_path}")};
        }}
    }}
}}
"""
    )
    return conf


def nginx_argv(nginx: str, conf: Path) -> list[str]:
    """``nginx -p DIR -c DIR/nginx.conf -e stderr``: the prefix and the
    early error log too stay out of the system's directories."""
    return [nginx, "-p", f"{conf.parent}/", "-c", str(conf), "-e", "stderr"]


class Server:
    """A WSGI server subprocess. ``start()`` picks a free port (retrying if
    another process grabs it first) and waits until the server answers;
    ``stop()`` terminates it and everything it forked."""

    def __init__(
        self,
        name: str,
        argv: t.Callable[[int], list[str]],
        *,
        cwd: Path,
        env: t.Mapping[str, str],
        log_path: Path,
        ready_path: str = "/static/style.css",
    ) -> None:
        self.name = name
        self._argv = argv
        self.cwd = cwd
        self.env = dict(env)
        self.log_path = log_path
        self.ready_path = ready_path
        self.proc: subprocess.Popen[bytes] | None = None
        self.port = 0
        self._seen_children: dict[int, str | None] = {}

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def start(self, attempts: int = 3) -> Server:
        for _ in range(attempts):
            self.port = free_port()
            with open(self.log_path, "ab") as log:
                self.proc = subprocess.Popen(
                    self._argv(self.port),
                    cwd=self.cwd,
                    env=self.env,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            if self._wait_ready():
                return self
            self.stop()
            if "Address already in use" not in self.log():
                break
        raise AssertionError(f"{self.name} did not start; its output:\n{self.log()}")

    def _wait_ready(self) -> bool:
        assert self.proc is not None
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            if self.answers():
                return True
            time.sleep(0.1)
        return False

    def answers(self) -> bool:
        """Whether ``ready_path`` answers 200 now (one bounded try)."""
        try:
            with urllib.request.urlopen(self.url + self.ready_path, timeout=5) as rv:
                rv.read()
                return rv.status == 200
        except (urllib.error.URLError, OSError):
            return False

    def children(self) -> list[int]:
        """Pids of the server's child processes (gunicorn's workers)."""
        kids = sorted(children_of(self.pid)) if self.proc is not None else []
        for kid in kids:
            self._seen_children.setdefault(kid, start_time(kid))
        return kids

    def wait_children(self, count: int, timeout: float = READY_TIMEOUT) -> list[int]:
        deadline = time.monotonic() + timeout
        while True:
            kids = self.children()
            if len(kids) >= count or time.monotonic() > deadline:
                return kids
            time.sleep(0.1)

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.children()  # remember the workers in case SIGKILL is needed
            self.proc.terminate()
            try:
                self.proc.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=STOP_TIMEOUT)
        # Workers of a killed master would linger: end the ones we saw, by pid,
        # if they are still alive and still the same processes (start time).
        deadline = time.monotonic() + STOP_TIMEOUT
        for pid, started in sorted(self._seen_children.items()):
            if started is None:
                continue
            while start_time(pid) == started and time.monotonic() < deadline:
                time.sleep(0.05)
            if start_time(pid) == started:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        self._seen_children.clear()
        self.proc = None


def uwsgi_request(
    socket_path: Path,
    path: str,
    variables: t.Mapping[str, str] | None = None,
    timeout: float = 5.0,
) -> bytes:
    """Send ``GET path`` to uWSGI over the uwsgi protocol on a unix socket
    (what nginx's ``uwsgi_pass`` speaks), with ``variables`` added to or
    replacing the request's, and return the raw HTTP response."""
    params = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "REQUEST_URI": path,
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.0",
        "SERVER_NAME": HOST,
        "SERVER_PORT": "80",
        "REMOTE_ADDR": HOST,
        "HTTP_HOST": HOST,
        **(variables or {}),
    }
    body = b"".join(
        struct.pack("<H", len(k)) + k + struct.pack("<H", len(v)) + v
        for k, v in ((k.encode(), v.encode()) for k, v in params.items())
    )
    chunks = []
    with socket.socket(socket.AF_UNIX) as conn:
        conn.settimeout(timeout)
        conn.connect(str(socket_path))
        # The packet header: modifier1 0 (a WSGI request), size, modifier2 0.
        conn.sendall(struct.pack("<BHB", 0, len(body), 0) + body)
        while chunk := conn.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


class UwsgiSocketServer(Server):
    """A uWSGI speaking the uwsgi protocol on the unix socket
    ``socket_path`` instead of HTTP on a port: it is ready when a request
    sent over the socket for ``ready_path`` is answered with a 200."""

    def __init__(
        self, name: str, argv: list[str], *, socket_path: Path, **kwargs: t.Any
    ) -> None:
        super().__init__(name, lambda port: argv, **kwargs)
        self.socket_path = socket_path

    def answers(self) -> bool:
        try:
            status_line = uwsgi_request(self.socket_path, self.ready_path)
        except OSError:
            return False
        return status_line.split(b"\r\n", 1)[0].split(b" ")[1:2] == [b"200"]


# -- /proc ----------------------------------------------------------------------


def _stat_fields(pid: int) -> list[str] | None:
    try:
        data = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    # The command name is in parentheses and may contain spaces.
    return data[data.rindex(")") + 2 :].split()


def is_alive(pid: int) -> bool:
    fields = _stat_fields(pid)
    return fields is not None and fields[0] != "Z"


def start_time(pid: int) -> str | None:
    """The process's start time (clock ticks after boot) while it is alive,
    else None: with the pid it identifies one process even if pids wrap."""
    fields = _stat_fields(pid)
    if fields is None or fields[0] == "Z":
        return None
    return fields[19]  # field 22 of /proc/<pid>/stat


def children_of(pid: int) -> set[int]:
    """Live child pids, from /proc/<pid>/task/*/children when the kernel has
    it, else by scanning /proc/*/stat for the parent pid."""
    kids: set[int] = set()
    tasks = Path(f"/proc/{pid}/task")
    found_file = False
    try:
        for task in tasks.iterdir():
            path = task / "children"
            if path.exists():
                found_file = True
                kids.update(int(p) for p in path.read_text().split())
    except FileNotFoundError:
        return set()
    if not found_file:
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                fields = _stat_fields(int(entry.name))
                if fields is not None and int(fields[1]) == pid:
                    kids.add(int(entry.name))
    return {k for k in kids if is_alive(k)}


def rss_kib(pid: int) -> int:
    """Resident set size from /proc/<pid>/status, in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError(f"no VmRSS for pid {pid}")


# -- an HTTP client with a cookie jar -------------------------------------------


@dataclasses.dataclass
class Reply:
    status: int
    headers: t.Any  # email.message.Message
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: t.Any, **kwargs: t.Any) -> None:
        return None  # hand 3xx back to the caller instead of following it


class Browser:
    """A user agent: one cookie jar, a fresh TCP connection per request
    (urllib sends ``Connection: close``), redirects returned, not followed."""

    def __init__(self, base_url: str, timeout: float = REQUEST_TIMEOUT) -> None:
        self.base_url = base_url
        self.timeout = timeout
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect()
        )

    def request(
        self,
        method: str,
        path: str,
        form: t.Mapping[str, str] | None = None,
        headers: t.Mapping[str, str] | None = None,
        base_url: str | None = None,
    ) -> Reply:
        data = None if form is None else urllib.parse.urlencode(form).encode()
        req = urllib.request.Request(
            (base_url or self.base_url) + path,
            data=data,
            method=method,
            headers=dict(headers or {}),
        )
        try:
            with self.opener.open(req, timeout=self.timeout) as rv:
                return Reply(rv.status, rv.headers, rv.read())
        except urllib.error.HTTPError as err:
            try:
                return Reply(err.code, err.headers, err.read())
            finally:
                err.close()

    def get(self, path: str, **kwargs: t.Any) -> Reply:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, form: t.Mapping[str, str], **kwargs: t.Any) -> Reply:
        return self.request("POST", path, form=form, **kwargs)

    def cookie(self, name: str) -> str | None:
        for c in self.jar:
            if c.name == name:
                return c.value
        return None

    def login(self, site: FlaskrSite, **kwargs: t.Any) -> Reply:
        return self.post(
            "/login", {"username": site.username, "password": site.password}, **kwargs
        )


def pipeline(
    port: int, paths: t.Sequence[str], timeout: float = REQUEST_TIMEOUT
) -> list[Reply]:
    """Send ``GET`` for every path at once on one HTTP/1.1 connection
    (pipelining: each request before the previous response) and read the
    responses in order. Each must have a Content-Length."""
    replies = []
    with socket.create_connection((HOST, port), timeout=timeout) as sock:
        sock.sendall(
            b"".join(
                f"GET {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\n\r\n".encode()
                for path in paths
            )
        )
        with sock.makefile("rb") as stream:
            for path in paths:
                status_line = stream.readline()
                assert status_line.startswith(b"HTTP/1.1 "), (path, status_line)
                headers = http.client.parse_headers(stream)
                length = headers["Content-Length"]
                assert length is not None, (path, status_line, headers.items())
                body = stream.read(int(length))
                replies.append(Reply(int(status_line.split()[1]), headers, body))
    return replies


def logged_in(page: str) -> bool:
    """Flaskr's layout links to /logout only for a logged-in session."""
    return '/logout">log out</a>' in page


def flaskr_round_trip(browser: Browser, site: FlaskrSite, title: str) -> None:
    """What a Flaskr user does, each step checked: posting is refused
    before logging in; log in (a session cookie kept in the jar), post an
    entry titled ``title``, read it back on the index, log out; the entry
    stays and posting is refused again."""
    assert browser.post("/add", {"title": "x", "text": "y"}).status == 401
    rv = browser.login(site)
    assert rv.status == 302
    assert rv.headers["Location"] == "/"
    set_cookie = rv.headers["Set-Cookie"]
    assert set_cookie.startswith("session=") and "HttpOnly" in set_cookie
    page = browser.get("/").text
    assert logged_in(page)
    assert "<div class=flash>You were logged in</div>" in page

    rv = browser.post("/add", {"title": title, "text": "<em>HTML</em> allowed"})
    assert rv.status == 302
    assert rv.headers["Location"] == "/"
    page = browser.get("/").text
    assert f"<li><h2>{title}</h2><em>HTML</em> allowed" in page
    assert "New entry was successfully posted" in page

    rv = browser.get("/logout")
    assert rv.status == 302
    assert rv.headers["Location"] == "/"
    page = browser.get("/").text
    assert not logged_in(page)
    assert "You were logged out" in page
    assert f"<h2>{title}</h2>" in page
    assert browser.post("/add", {"title": "x", "text": "y"}).status == 401
