"""The debug-mode explanations: files sent as form fields, redirects that
drop form data, and the report of template loader attempts."""

from __future__ import annotations

import logging
import typing as t

import pytest
from jinja2 import DictLoader
from werkzeug.routing import RequestRedirect

import flask
from flask import Flask
from flask.debughelpers import attach_enctype_error_multidict
from flask.debughelpers import DebugFilesKeyError
from flask.debughelpers import explain_template_loading_attempts
from flask.debughelpers import FormDataRoutingRedirect
from flask.debughelpers import UnexpectedUnicodeError

# -- files sent as form fields ----------------------------------------------------


def test_files_key_error_is_a_key_and_assertion_error(app: Flask) -> None:
    with app.test_request_context(method="POST", data={"upload": "a.txt"}):
        error = DebugFilesKeyError(flask.request, "upload")
    assert isinstance(error, KeyError)
    assert isinstance(error, AssertionError)
    text = str(error)
    assert text == error.msg
    assert "'upload'" in text
    assert "'application/x-www-form-urlencoded'" in text
    assert "no file contents were transmitted" in text
    assert 'enctype="multipart/form-data"' in text
    assert "This was submitted: 'a.txt'" in text


def test_files_key_error_without_a_form_value(app: Flask) -> None:
    with app.test_request_context(method="POST", data={"other": "x"}):
        text = str(DebugFilesKeyError(flask.request, "upload"))
    assert "no file contents were transmitted" in text
    assert "This was submitted" not in text


def test_attached_files_explain_form_fields_only(app: Flask) -> None:
    with app.test_request_context(method="POST", data={"upload": "a.txt"}):
        request = flask.request
        original = type(request.files)
        attach_enctype_error_multidict(request)
        files = request.files
        # Looks like the original class, and is one.
        assert isinstance(files, original)
        assert type(files).__name__ == original.__name__
        assert type(files).__module__ == original.__module__
        with pytest.raises(DebugFilesKeyError):
            files["upload"]
        with pytest.raises(KeyError) as exc_info:
            files["missing"]
        assert not isinstance(exc_info.value, DebugFilesKeyError)
        assert files.get("upload") is None


def test_attached_files_class_is_made_once(app: Flask) -> None:
    classes = []
    for _ in range(2):
        with app.test_request_context(method="POST", data={"f": "x"}):
            attach_enctype_error_multidict(flask.request)
            classes.append(type(flask.request.files))
    assert classes[0] is classes[1]


def test_unexpected_unicode_error_kinds() -> None:
    assert issubclass(UnexpectedUnicodeError, AssertionError)
    assert issubclass(UnexpectedUnicodeError, UnicodeError)


# -- redirects that drop form data ------------------------------------------------


@pytest.mark.parametrize(
    ("path", "new_url", "slash_hint"),
    [
        ("/folder", "http://localhost/folder/", True),
        ("/folder", "http://localhost/folder/?q=1", True),
        ("/old", "http://localhost/new", False),
    ],
)
def test_form_data_routing_redirect_message(
    app: Flask, path: str, new_url: str, slash_hint: bool
) -> None:
    with app.test_request_context(path, method="POST"):
        flask.request.routing_exception = RequestRedirect(new_url)
        error = FormDataRoutingRedirect(flask.request)
    text = str(error)
    assert isinstance(error, AssertionError)
    assert f"'http://localhost{path}'" in text
    assert f"canonical URL '{new_url}'" in text
    assert "307 or 308" in text
    assert ("trailing slash" in text) is slash_hint


# -- EXPLAIN_TEMPLATE_LOADING -------------------------------------------------------


class _Loader(DictLoader):
    def __init__(self) -> None:
        super().__init__({})
        self.searchpath = ["/one", "/two"]
        self.encoding = "utf-8"
        self.followlinks = False
        self.mixed = ["kept out", 1]
        self._private = "hidden"


def _explain(
    app: Flask, attempts: list[t.Any], caplog: pytest.LogCaptureFixture
) -> str:
    caplog.set_level(logging.INFO, logger=app.logger.name)
    explain_template_loading_attempts(app, "page.html", attempts)
    (record,) = caplog.records
    assert record.levelno == logging.INFO
    return record.getMessage()


def test_explain_lists_each_attempt(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    bp = flask.Blueprint("shop", "shop_module")
    loader = _Loader()
    text = _explain(
        app,
        [(loader, app, None), (loader, bp, ("src", "/two/page.html", None))],
        caplog,
    )
    lines = text.splitlines()
    assert lines[0] == "Locating template 'page.html':"
    assert "1: trying loader of application 'flask_test'" in text
    assert "2: trying loader of blueprint 'shop' (shop_module)" in text
    assert f"class: {__name__}._Loader" in text
    assert "searchpath:" in text and "  - /one" in text and "  - /two" in text
    assert "encoding: 'utf-8'" in text
    assert "followlinks: False" in text
    assert "mixed" not in text and "_private" not in text
    assert "-> no match" in text
    assert "-> found ('/two/page.html')" in text
    assert "could not be found" not in text
    assert "multiple loaders" not in text


def test_explain_verdicts(app: Flask, caplog: pytest.LogCaptureFixture) -> None:
    loader = _Loader()
    found = (loader, app, ("src", None, None))
    assert "Error: the template could not be found." in _explain(
        app, [(loader, app, None)], caplog
    )
    caplog.clear()
    text = _explain(app, [found, found], caplog)
    assert "-> found ('<string>')" in text
    assert "Warning: multiple loaders returned a match" in text


def test_explain_hints_at_the_blueprint_only_when_fishy(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    bp = flask.Blueprint("shop", __name__)
    bp.add_url_rule("/shop", "index", lambda: "")
    app.register_blueprint(bp)
    loader = _Loader()
    with app.test_request_context("/shop"):
        text = _explain(app, [(loader, app, None)], caplog)
        assert "belongs to the blueprint 'shop'" in text
        assert "https://flask.palletsprojects.com/blueprints/#templates" in text
        caplog.clear()
        text = _explain(app, [(loader, app, ("s", "f", None))], caplog)
        assert "blueprint 'shop'" not in text
