"""20.1 Larger Applications: the application is a package; the views live in
their own module, imported at the bottom, *after* the app exists (a circular
import the manual explains is fine here).

Changes for today's Flask: none. The package is ``patterns.larger_app``
instead of ``yourapplication``; run it with
``flask --app patterns.larger_app run`` from ``examples/``.
"""

from flask import Flask

app = Flask(__name__)

import patterns.larger_app.views  # noqa: E402, F401
