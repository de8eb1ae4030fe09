"""20.12 View Decorators: ``login_required``, ``cached``, ``templated``, and
the ``app.endpoint`` decorator.

``app`` uses the first three; ``endpoint_app`` is the manual's
``app.endpoint`` example. The manual leaves the login page and ``g.user``
to the reader: here ``g.user`` is the session's user name or None, and the
login form passes ``next`` on in a hidden input as the manual suggests.

Changes for today's Flask: the manual's hidden input reads
``value="{ request.args.get('next', '') }"``, a typo for ``{{ ... }}``; the
cache is the stand-in of ``patterns.caching`` (``werkzeug.contrib.cache`` is
gone).
"""

from functools import wraps

from werkzeug.routing import Rule

from flask import Blueprint
from flask import Flask
from flask import g
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask import url_for
from patterns.caching import SimpleCache

cache = SimpleCache()

app = Flask(__name__, template_folder="templates/view_decorators")
app.secret_key = "view decorators key"


# 20.12.1 Login Required Decorator


def login_required(f):
    @wraps(f)
    def decorated_function(*args, **kwargs):
        if g.user is None:
            return redirect(url_for("login", next=request.url))
        return f(*args, **kwargs)

    return decorated_function


@app.before_request
def load_user():
    g.user = session.get("user")


@app.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "POST":
        session["user"] = request.form["username"]
        return redirect(request.form.get("next") or url_for("index"))
    return render_template("login.html")


@app.route("/secret_page")
@login_required
def secret_page():
    return f"secret for {g.user}"


# 20.12.2 Caching Decorator


def cached(timeout=5 * 60, key="view/%s"):
    def decorator(f):
        @wraps(f)
        def decorated_function(*args, **kwargs):
            cache_key = key % request.path
            rv = cache.get(cache_key)
            if rv is not None:
                return rv
            rv = f(*args, **kwargs)
            cache.set(cache_key, rv, timeout=timeout)
            return rv

        return decorated_function

    return decorator


expensive_calls = []


@app.route("/expensive/<int:n>")
@cached(timeout=60)
def expensive(n):
    expensive_calls.append(n)
    return f"sum of squares below {n:d}: {sum(i * i for i in range(n)):d}"


# 20.12.3 Templating Decorator


def templated(template=None):
    def decorator(f):
        @wraps(f)
        def decorated_function(*args, **kwargs):
            template_name = template
            if template_name is None:
                template_name = request.endpoint.replace(".", "/") + ".html"
            ctx = f(*args, **kwargs)
            if ctx is None:
                ctx = {}
            elif not isinstance(ctx, dict):
                return ctx
            return render_template(template_name, **ctx)

        return decorated_function

    return decorator


# The manual's three equivalent index views, at three URLs.


@app.route("/")
def index():
    return render_template("index.html", value=42)


@app.route("/named")
@templated("index.html")
def named():
    return dict(value=42)


@app.route("/auto")
@templated()  # the endpoint "auto" gives "auto.html"
def auto():
    return dict(value=42)


reports = Blueprint("reports", __name__, url_prefix="/reports")


@reports.route("/summary")
@templated()  # the endpoint "reports.summary" gives "reports/summary.html"
def summary():
    return dict(value="summary")


app.register_blueprint(reports)


@app.route("/empty")
@templated("index.html")
def empty():
    return None


@app.route("/passthrough")
@templated("index.html")
def passthrough():
    return redirect(url_for("index"))


# 20.12.4 Endpoint Decorator

endpoint_app = Flask(__name__)
endpoint_app.url_map.add(Rule("/", endpoint="index"))


@endpoint_app.endpoint("index")
def my_index():
    return "Hello world"
