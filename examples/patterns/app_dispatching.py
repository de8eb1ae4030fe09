"""20.3 Application Dispatching: several isolated applications combined at
the WSGI level, by URL prefix, by subdomain or by the first path segment.

Changes for today's Werkzeug: ``DispatcherMiddleware`` moved from
``werkzeug.wsgi`` to ``werkzeug.middleware.dispatcher`` (Werkzeug 0.15), and
``werkzeug.wsgi.peek_path_info``/``pop_path_info`` were removed (Werkzeug
2.3), so the two small helpers the path dispatcher needs are written here.
The manual's ``myapplication`` module (``create_app``, ``default_app`` and
the user look-ups) is filled in with a dictionary of users.

Serve any of the three combined applications with Werkzeug's development
server, as the manual does::

    python -m patterns.app_dispatching
"""

from threading import Lock

from werkzeug.exceptions import NotFound
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.serving import run_simple

from flask import Flask
from flask import request
from flask import url_for


def create_app(name):
    """The application to dispatch to: each call makes an isolated app."""
    app = Flask(__name__)
    app.config["OWNER"] = name

    @app.route("/")
    def index():
        return "{}: index, about is at {}".format(app.config["OWNER"], url_for("about"))

    @app.route("/about")
    def about():
        return "{}: script_root={!r} path={!r}".format(
            app.config["OWNER"],
            request.script_root,
            request.path,
        )

    return app


# 20.3.2 Combining Applications

frontend = create_app("frontend")
backend = create_app("backend")

application = DispatcherMiddleware(frontend, {"/backend": backend})


# 20.3.3 Dispatch by Subdomain

USERS = {"alice": "Alice", "bob": "Bob"}


def get_user_for_subdomain(subdomain):
    return USERS.get(subdomain)


get_user_for_prefix = get_user_for_subdomain


class SubdomainDispatcher:
    def __init__(self, domain, create_app):
        self.domain = domain
        self.create_app = create_app
        self.lock = Lock()
        self.instances = {}

    def get_application(self, host):
        host = host.split(":")[0]
        assert host.endswith(self.domain), "Configuration error"
        subdomain = host[: -len(self.domain)].rstrip(".")
        with self.lock:
            app = self.instances.get(subdomain)
            if app is None:
                app = self.create_app(subdomain)
                self.instances[subdomain] = app
            return app

    def __call__(self, environ, start_response):
        app = self.get_application(environ["HTTP_HOST"])
        return app(environ, start_response)


def make_subdomain_app(subdomain):
    user = get_user_for_subdomain(subdomain)
    if user is None:
        # if there is no user for that subdomain we still have
        # to return a WSGI application that handles that request.
        # We can then just return the NotFound() exception as
        # application which will render a default 404 page.
        # You might also redirect the user to the main page then
        return NotFound()

    # otherwise create the application for the specific user
    return create_app(user)


subdomain_application = SubdomainDispatcher("example.com", make_subdomain_app)


# 20.3.4 Dispatch by Path


def peek_path_info(environ):
    """The first segment of PATH_INFO (``''`` for ``/``), left in place."""
    return environ.get("PATH_INFO", "").lstrip("/").split("/", 1)[0]


def pop_path_info(environ):
    """Move the first segment of PATH_INFO to the end of SCRIPT_NAME and
    return it."""
    path = environ.get("PATH_INFO", "")
    stripped = path.lstrip("/")
    script_name = environ.get("SCRIPT_NAME", "") + "/" * (len(path) - len(stripped))
    segment, slash, rest = stripped.partition("/")
    environ["SCRIPT_NAME"] = script_name + segment
    environ["PATH_INFO"] = slash + rest
    return segment


class PathDispatcher:
    def __init__(self, default_app, create_app):
        self.default_app = default_app
        self.create_app = create_app
        self.lock = Lock()
        self.instances = {}

    def get_application(self, prefix):
        with self.lock:
            app = self.instances.get(prefix)
            if app is None:
                app = self.create_app(prefix)
                if app is not None:
                    self.instances[prefix] = app
            return app

    def __call__(self, environ, start_response):
        app = self.get_application(peek_path_info(environ))
        if app is not None:
            pop_path_info(environ)
        else:
            app = self.default_app
        return app(environ, start_response)


default_app = create_app("default")


def make_path_app(prefix):
    user = get_user_for_prefix(prefix)
    if user is not None:
        return create_app(user)


path_application = PathDispatcher(default_app, make_path_app)


if __name__ == "__main__":
    run_simple(
        "127.0.0.1",
        5000,
        application,
        use_reloader=True,
        use_debugger=True,
        use_evalex=True,
    )
