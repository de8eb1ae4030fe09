"""20.21 Streaming Contents: a generator as the response body, a template
rendered piece by piece, and ``stream_with_context``.

Changes for today's Flask: none needed; Flask 2.2 added
``flask.stream_template``, which does what the manual's ``stream_template``
helper does (and keeps the request context), shown at
``/my-large-page-builtin.html``. ``iter_all_rows`` (left to the reader in
the manual) yields a few CSV rows. ``/stream-without-context`` is the
manual's warning: without ``stream_with_context`` the generator runs after
the request context is gone and raises ``RuntimeError``.
"""

from flask import Flask
from flask import request
from flask import Response
from flask import stream_template as flask_stream_template
from flask import stream_with_context

app = Flask(__name__, template_folder="templates/streaming")

ROW_COUNT = 12


def iter_all_rows():
    for i in range(ROW_COUNT):
        yield [str(i), f"row {i:d}", str(i * i)]


# 20.21.1 Basic Usage


@app.route("/large.csv")
def generate_large_csv():
    def generate():
        for row in iter_all_rows():
            yield ",".join(row) + "\n"

    return Response(generate(), mimetype="text/csv")


# 20.21.2 Streaming from Templates


def stream_template(template_name, **context):
    app.update_template_context(context)
    t = app.jinja_env.get_template(template_name)
    rv = t.stream(context)
    rv.enable_buffering(5)
    return rv


@app.route("/my-large-page.html")
def render_large_template():
    rows = iter_all_rows()
    return Response(stream_template("the_template.html", rows=rows))


@app.route("/my-large-page-builtin.html")
def render_large_template_builtin():
    return Response(flask_stream_template("the_template.html", rows=iter_all_rows()))


# 20.21.3 Streaming with Context


@app.route("/stream")
def streamed_response():
    def generate():
        yield "Hello "
        yield request.args["name"]
        yield "!"

    return Response(stream_with_context(generate()))


@app.route("/stream-without-context")
def streamed_response_without_context():
    def generate():
        yield "Hello "
        yield request.args["name"]
        yield "!"

    return Response(generate())
