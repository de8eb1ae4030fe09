"""A module inside nested packages."""

from flask import Flask

app = Flask("nested_module")
