"""Factories found by name or called with literal arguments."""

from flask import Flask


def create_app(name: str = "from_factory") -> Flask:
    return Flask(name)


def build(prefix: str, suffix: str = "end") -> Flask:
    return Flask(f"{prefix}-{suffix}")


def returns_nothing() -> None:
    return None


not_callable = 42
