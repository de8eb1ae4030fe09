"""Inner package whose ``__init__`` holds an application."""

from flask import Flask

application = Flask("nested_inner")
