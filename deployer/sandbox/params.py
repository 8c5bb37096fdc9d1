"""Request parameters as Jetty parses and Spring's `@RequestParam` binds them: query string
first, then the form body; a missing or unconvertible required value raises `MissingParam`.

Parsing follows Jetty's `UrlEncoded`: `+` is a space, `%XX` a byte, the bytes UTF-8; a `%`
not followed by two hex digits, or bytes that are not UTF-8, fail the whole request's
parameters (`BadParams`, which the server answers with the endpoint's generic code). A
parameter given twice binds as Spring converts `String[]`: joined with commas for a string,
the first value for a number.
"""

from __future__ import annotations

from typing import Any

from deployer.sandbox.status import ApiError, MissingParam

__all__ = ["REQUIRED", "BadParams", "Params", "parse_form"]

REQUIRED: Any = object()
_HEX = frozenset(b"0123456789abcdefABCDEF")


class BadParams(Exception):
    """Jetty could not parse the query string or the form (its BadMessageException)."""


def parse_form(raw: bytes, reason: str) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for field in raw.split(b"&"):
        if not field:
            continue
        key, _, value = field.partition(b"=")
        values.setdefault(_decode(key, reason), []).append(_decode(value, reason))
    return values


def _decode(raw: bytes, reason: str) -> str:
    raw = raw.replace(b"+", b" ")
    if b"%" in raw:
        out = bytearray()
        i = 0
        while i < len(raw):
            if raw[i] == 0x25:  # %
                pair = raw[i + 1 : i + 3]
                if len(pair) < 2 or not _HEX.issuperset(pair):
                    raise BadParams(f"{reason} (Not valid encoding '{pair.decode('latin-1')}')")
                out.append(int(pair, 16))
                i += 3
            else:
                out.append(raw[i])
                i += 1
        raw = bytes(out)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadParams(f"{reason} (not valid UTF-8)") from None


class Params:
    def __init__(self, values: dict[str, list[str]], path: dict[str, str]) -> None:
        self.values = values
        self.path = path

    def opt(self, name: str) -> str | None:
        found = self.values.get(name)
        if not found:
            return None
        return found[0] if len(found) == 1 else ",".join(found)

    def first(self, name: str) -> str | None:
        found = self.values.get(name)
        return found[0] if found else None

    def text(self, name: str, default: Any = REQUIRED) -> Any:
        value = self.opt(name)
        if value is None:
            if default is REQUIRED:
                raise MissingParam(name)
            return default
        return value

    def num(self, name: str, default: Any = REQUIRED) -> Any:
        value = self.first(name)
        if value is None or value == "":
            if default is REQUIRED:
                raise MissingParam(name)
            return default
        try:
            return int(value)
        except ValueError:
            raise MissingParam(name, f"Failed to convert '{value}' for '{name}'") from None

    def enum(self, name: str, names: tuple[str, ...], default: Any = REQUIRED) -> Any:
        value = self.text(name, default)
        if value is None or value in names:
            return value
        raise MissingParam(name, f"No enum constant {name}.{value}")

    def var(self, name: str) -> int:
        """A numeric path variable (`long`/`int` in Java)."""
        try:
            return int(self.path[name])
        except ValueError:
            raise MissingParam(name, f"Failed to convert path variable '{name}'") from None

    def paging(self) -> tuple[int, int]:
        page_no, page_size = self.num("pageNo"), self.num("pageSize")
        if page_no <= 0 or page_size <= 0:
            raise ApiError(10001, "pageNo" if page_no <= 0 else "pageSize")
        return page_no, page_size


def parse_multipart(ctype: str, body: bytes, values: dict[str, list[str]]
                    ) -> dict[str, tuple[str, bytes]]:
    """A multipart/form-data body: text parts join `values`, file parts are returned as
    field -> (file name, bytes), byte-exact (the email parser keeps binary payloads)."""
    import email.parser
    import email.policy

    head = f"Content-Type: {ctype}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1")
    msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    if not msg.is_multipart():
        raise BadParams("Failed to parse multipart servlet request")
    files: dict[str, tuple[str, bytes]] = {}
    for part in msg.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        filename = part.get_filename()
        if filename is not None:
            files[name] = (filename, data)
        else:
            values.setdefault(name, []).append(data.decode("utf-8", "replace"))
    return files
