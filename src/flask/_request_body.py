"""Reading request bodies: URL-encoded forms, exact-length reads, and the
limit on bodies of unknown length.

URL-encoded form parsing has a fast version that gives the same result as
:func:`urllib.parse.parse_qsl` with ``keep_blank_values=True`` (what
Werkzeug calls); the other helpers answer hostile input with a 4xx instead
of a 500 or a truncated body.
"""

from __future__ import annotations

import re
import typing as t
from binascii import a2b_qp
from urllib.parse import unquote
from urllib.parse import unquote_to_bytes

import werkzeug.urls  # noqa: F401  (registers the "werkzeug.url_quote" error handler)
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import BadRequest
from werkzeug.exceptions import ClientDisconnected
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.formparser import FormDataParser
from werkzeug.wsgi import LimitedStream


class _FormDataParser(FormDataParser):
    """Werkzeug's form parser with a faster URL-encoded path: fields
    without ``+`` or ``%`` are used as they are instead of being unquoted.
    The result is the same as :func:`urllib.parse.parse_qsl`'s with
    ``keep_blank_values=True``, as Werkzeug calls it.

    A malformed multipart body or a URL-encoded one that is not UTF-8
    (Werkzeug's silent parser gives an empty form for them, losing what was
    sent) is a 400 that says what is wrong.
    """

    def _parse_multipart(
        self,
        stream: t.IO[bytes],
        mimetype: str,
        content_length: int | None,
        options: dict[str, str],
    ) -> tuple[t.IO[bytes], MultiDict[str, t.Any], MultiDict[str, t.Any]]:
        try:
            return super()._parse_multipart(stream, mimetype, content_length, options)
        except ValueError as error:
            if not self.silent:
                raise
            raise BadRequest(_multipart_problem(str(error))) from None

    def _parse_urlencoded(
        self,
        stream: t.IO[bytes],
        mimetype: str,
        content_length: int | None,
        options: dict[str, str],
    ) -> tuple[t.IO[bytes], MultiDict[str, t.Any], MultiDict[str, t.Any]]:
        if not self.silent:
            return super()._parse_urlencoded(stream, mimetype, content_length, options)
        items = _parse_urlencoded_body(stream.read())
        return stream, self.cls(items), self.cls()


_MULTIPART_PROBLEMS = {
    "Missing boundary": "has no boundary in its Content-Type",
    "Missing Content-Disposition header": "has a part without a Content-Disposition header",
    "cannot parse beyond": "ends before its closing boundary",
}


def _multipart_problem(message: str) -> str:
    """A 400's description for Werkzeug's ``ValueError`` ``message``."""
    found = (v for k, v in _MULTIPART_PROBLEMS.items() if k in message)
    return f"The multipart/form-data body {next(found, 'is malformed')}."


def _unquote_field(value: str) -> str:
    if "+" in value:
        value = value.replace("+", " ")
    if "%" in value:
        if value.isascii():  # one run of ASCII: what unquote() does with it
            return unquote_to_bytes(value).decode(errors="werkzeug.url_quote")
        value = unquote(value, errors="werkzeug.url_quote")
    return value


def _parse_urlencoded_body(body: bytes) -> list[tuple[str, str]]:
    """The fields of a URL-encoded body; a body that is not UTF-8 is a 400."""
    try:
        text = body.decode()
    except UnicodeDecodeError:
        raise BadRequest("The form body is not valid UTF-8.") from None
    return _parse_urlencoded_fields(text)


def _parse_urlencoded_fields(body: str) -> list[tuple[str, str]]:
    """``a=1&b&c=%20`` -> ``[("a", "1"), ("b", ""), ("c", " ")]``."""
    simple = _parse_simple_body(body)
    if simple is not None:
        return simple
    items = []
    for field in body.split("&") if body else ():
        if field:
            name, _, value = field.partition("=")
            items.append((_unquote_field(name), _unquote_field(value)))
    return items


#: Every byte but the separators ``&`` and ``=``.
_NOT_SEPARATORS = bytes(b for b in range(256) if b not in b"&=")
#: Separators to NUL, ``+`` to space, ``%XX`` to quoted-printable's ``=XX``.
_TO_QUOTED_PRINTABLE = bytes.maketrans(b"&=+%", b"\0\0 =")
_BAD_ESCAPE = re.compile(rb"%(?![0-9A-Fa-f]{2})")


def _parse_simple_body(body: str) -> list[tuple[str, str]] | None:
    """The fields of an ASCII body whose every field is ``name=value``
    (no empty field, one ``=`` each) and whose every ``%`` starts an
    escape, unquoted in one step; None for any other body.

    The separators become NUL (in no such body, and not hex, so no escape
    spans two parts) and the escapes quoted-printable ones, which
    :func:`binascii.a2b_qp` decodes as :func:`~urllib.parse.unquote` would;
    a NUL made by ``%00`` shows as a wrong count of parts.
    """
    if not body.isascii():
        return None
    data = body.encode()
    separators = data.translate(None, _NOT_SEPARATORS)
    count = len(separators) // 2 + 1
    if (
        separators != b"=&" * (count - 1) + b"="
        or b"\0" in data
        or (b"%" in data and _BAD_ESCAPE.search(data) is not None)
    ):
        return None
    decoded = a2b_qp(data.translate(_TO_QUOTED_PRINTABLE))
    parts = decoded.decode(errors="werkzeug.url_quote").split("\0")
    if len(parts) != 2 * count:
        return None
    pairs = iter(parts)
    return list(zip(pairs, pairs))  # noqa: B905  (an even count; strict= costs a slow call)


#: The most one read of a body asks for: a declared length is not
#: allocated before the bytes arrive.
_READ_SIZE = 64 * 1024


def _read_exactly(stream: t.IO[bytes], length: int) -> bytes:
    """``length`` bytes of ``stream``, read as Werkzeug's ``LimitedStream``
    of that length reads them: a read that fails or finds the stream
    ended first is a :exc:`~werkzeug.exceptions.ClientDisconnected`."""
    if not length:
        return b""
    try:
        data = stream.read(min(length, _READ_SIZE))
        if len(data) == length:
            return data
        buffer = bytearray(data)
        while len(buffer) < length:
            chunk = stream.read(min(length - len(buffer), _READ_SIZE))
            if not chunk:
                raise ClientDisconnected()
            buffer += chunk
    except (OSError, ValueError):
        raise ClientDisconnected()  # noqa: B904  (as Werkzeug raises it)
    return bytes(buffer[:length])


def _escape_invalid_utf8(raw: bytes) -> bytes:
    """Percent-escape the bytes of a query string that aren't UTF-8, so
    ``a=\\xff`` reads like ``a=%FF`` instead of failing to decode (a 500)."""
    try:
        raw.decode()
    except UnicodeDecodeError:
        return raw.decode(errors="werkzeug.url_quote").encode()
    return raw


class _MaxLengthStream(LimitedStream):
    """A body of unknown length (chunked) limited to ``MAX_CONTENT_LENGTH``:
    Werkzeug's stops quietly at the limit, handing the view a truncated
    body; this one raises 413 when more data follows."""

    _checked = False

    def __init__(self, stream: t.IO[bytes], limit: int) -> None:
        super().__init__(stream, limit, is_max=True)

    def readinto(self, b: bytearray) -> int | None:  # type: ignore[override]
        size = super().readinto(b)
        if self.is_exhausted and not self._checked:
            self._checked = True
            try:
                more = self._stream.read(1)
            except (OSError, ValueError):
                more = b""
            if more:
                raise RequestEntityTooLarge()
        return size
