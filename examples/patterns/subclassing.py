"""20.26 Subclassing Flask: a ``Flask`` subclass with its own request class,
here one that keeps request parameters in an ordered multidict.

Changes for today's Werkzeug: ``ImmutableOrderedMultiDict`` is deprecated
since Werkzeug 3.1 (to be removed in 3.2) because the plain
``ImmutableMultiDict`` keeps the order of its items too. It is imported
with that warning silenced, and ``ImmutableMultiDict`` is used once it is
gone; the subclassing the manual shows is the same either way.
"""

import warnings

from flask import Flask
from flask import Request
from flask import request

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    try:
        from werkzeug.datastructures import ImmutableOrderedMultiDict
    except ImportError:  # Werkzeug >= 3.2
        from werkzeug.datastructures import (
            ImmutableMultiDict as ImmutableOrderedMultiDict,
        )


class MyRequest(Request):
    """Request subclass to override request parameter storage"""

    parameter_storage_class = ImmutableOrderedMultiDict


class MyFlask(Flask):
    """Flask subclass using the custom request class"""

    request_class = MyRequest


app = MyFlask(__name__)


@app.route("/")
def index():
    return "{}: {}".format(
        type(request.args).__name__,
        ",".join("{}={}".format(*item) for item in request.args.items(multi=True)),
    )
