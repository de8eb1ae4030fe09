"""20.23 Adding HTTP Method Overrides: a WSGI middleware that lets a POST
request carry its real method in the X-HTTP-Method-Override header.

Changes for Python 3: the manual's middleware does
``method = method.encode('ascii', 'replace')``, which on Python 3 turns the
method into ``bytes``; WSGI wants ``str`` in ``REQUEST_METHOD`` and the
check against ``bodyless_methods`` then never matches. The method is kept as
``str`` here (non-ASCII values are not in ``allowed_methods`` anyway).
"""

from flask import Flask
from flask import request


class HTTPMethodOverrideMiddleware:
    allowed_methods = frozenset(
        ["GET", "HEAD", "POST", "DELETE", "PUT", "PATCH", "OPTIONS"]
    )
    bodyless_methods = frozenset(["GET", "HEAD", "OPTIONS", "DELETE"])

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        method = environ.get("HTTP_X_HTTP_METHOD_OVERRIDE", "").upper()
        if method in self.allowed_methods:
            environ["REQUEST_METHOD"] = method
        if method in self.bodyless_methods:
            environ["CONTENT_LENGTH"] = "0"
        return self.app(environ, start_response)


app = Flask(__name__)
app.wsgi_app = HTTPMethodOverrideMiddleware(app.wsgi_app)


@app.route("/resource", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def resource():
    return f"{request.method} with {len(request.get_data()):d} bytes"
