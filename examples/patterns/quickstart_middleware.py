"""4.13 Hooking in WSGI Middlewares: wrap ``app.wsgi_app``.

Changes for today's Flask: the manual's ``werkzeug.contrib.fixers.
LighttpdCGIRootFix`` is gone (``werkzeug.contrib`` was removed in
Werkzeug 1.0). The same hook is shown with the fixer Werkzeug still ships,
``werkzeug.middleware.proxy_fix.ProxyFix``.
"""

from werkzeug.middleware.proxy_fix import ProxyFix

from flask import Flask
from flask import request

app = Flask(__name__)
app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1)


@app.route("/")
def index():
    return f"{request.remote_addr} {request.scheme}"
