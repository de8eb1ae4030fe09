"""The views, without decorators; imported on the first request by the lazy
application."""


def index():
    return "index"


def user(username=None):
    if username is None:
        return "all users"
    return f"user {username}"
