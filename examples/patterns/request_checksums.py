"""20.24 Request Content Checksums: wrap the WSGI input stream so the body
is hashed while Flask reads and parses it.

Changes for today's Flask: none; Werkzeug's input stream reads through the
wrapper's ``read``, so the hash sees every byte of urlencoded and multipart
bodies.
"""

import hashlib

from flask import Flask
from flask import request


class ChecksumCalcStream:
    def __init__(self, stream):
        self._stream = stream
        self._hash = hashlib.sha1()

    def read(self, bytes):
        rv = self._stream.read(bytes)
        self._hash.update(rv)
        return rv

    def readline(self, size_hint):
        rv = self._stream.readline(size_hint)
        self._hash.update(rv)
        return rv


def generate_checksum(request):
    env = request.environ
    stream = ChecksumCalcStream(env["wsgi.input"])
    env["wsgi.input"] = stream
    return stream._hash


app = Flask(__name__)


@app.route("/special-api", methods=["POST"])
def special_api():
    hash = generate_checksum(request)
    # Accessing this parses the input stream
    files = request.files  # noqa: F841 - the manual's example
    # At this point the hash is fully constructed.
    checksum = hash.hexdigest()
    return f"Hash was: {checksum}"
