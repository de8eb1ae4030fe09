"""A module holding two applications, so none can be chosen implicitly."""

from flask import Flask

first = Flask("first")
second = Flask("second")
