"""Serve Flaskr, the tutorial's microblog, for `make run`.

Listens on http://127.0.0.1:5000 (set PORT to use another port), over ASGI
with uvicorn (the ``asgi`` extra), so that open index pages update live
over a WebSocket. On the first start it creates the SQLite database
(``examples/flaskr/instance/flaskr.db`` unless FLASKR_DATABASE or
FLASKR_SETTINGS says otherwise), so there is nothing to do before
browsing. Log in as ``admin`` / ``default``.
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "flaskr"))

from flaskr import app  # noqa: E402
from flaskr import ensure_db  # noqa: E402


def main() -> None:
    try:
        import uvicorn
    except ImportError:
        sys.exit("serve.py needs uvicorn: pip install -e '.[asgi]'")
    with app.app_context():
        if ensure_db():
            print(f" * Created the Flaskr database: {app.config['DATABASE']}")
    port = int(os.environ.get("PORT", "5000"))
    print(
        f" * Flaskr: open http://127.0.0.1:{port}/ and log in as"
        f" {app.config['USERNAME']!r} / {app.config['PASSWORD']!r}",
        flush=True,
    )
    uvicorn.run(app, host="127.0.0.1", port=port)


if __name__ == "__main__":
    main()
