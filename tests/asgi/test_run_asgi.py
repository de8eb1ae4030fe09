"""``flask run --asgi`` serves the app over ASGI with uvicorn."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

APP = """
from flask import Flask, request
app = Flask(__name__)

@app.route("/")
async def index():
    return request.environ["asgi.scope"]["type"]
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_flask_run_asgi(tmp_path: Path):
    (tmp_path / "asgi_hello.py").write_text(APP)
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLASK")}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "flask",
            "--app",
            "asgi_hello",
            "run",
            "--asgi",
            "--port",
            str(port),
        ],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/", timeout=5
                ) as r:
                    assert r.read() == b"http"
                    assert "uvicorn" in r.headers.get("server", "")
                    break
            except OSError:
                assert proc.poll() is None, proc.stdout.read().decode()
                assert time.monotonic() < deadline, "server did not answer"
                time.sleep(0.2)
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        proc.stdout.close()
