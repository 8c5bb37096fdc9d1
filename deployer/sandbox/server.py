"""The HTTP layer: a ThreadingHTTPServer speaking the DolphinScheduler v1 transport.

Parameters come from the query string and url-encoded form bodies only (a JSON body is
ignored, so required parameters are then missing). Unauthenticated requests get 401 with an
empty body. Paths outside the generation's table get a plain-text 404, as a server without
the UI bundle answers. State mutations run under the state lock, one request at a time.

Hostile requests get the real server's answers, never a dead server (see `deployer.sandbox.params`
for the parsing): a form body over Jetty's `max-http-form-post-size` (5,000,000 bytes in DS's
application.yaml) or with bad percent-encoding fails parameter binding, which the API's
`ApiExceptionHandler` answers with HTTP 200 and the endpoint's generic code; a malformed
Content-Length is Jetty's `400 Bad Message`; an unexpected error inside a handler is answered
like the real handler's `Throwable` branch and recorded in `App.internal_errors`.
"""

from __future__ import annotations

import contextlib
import json
import socket
import sys
import time
from datetime import UTC, datetime
from http.cookies import SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from deployer.sandbox.faults import Fault, Faults
from deployer.sandbox.params import BadParams, Params, parse_form, parse_multipart
from deployer.sandbox.resources import Download
from deployer.sandbox.routes import Ctx, Route, build_routes
from deployer.sandbox.status import ApiError, MissingParam, message
from deployer.sandbox.store import DATE_FORMAT, State

__all__ = ["CONTEXT", "App", "SandboxHTTPServer"]

CONTEXT = "/dolphinscheduler"
_OPEN = ("/login", "/actuator/health")
FORM_LIMIT = 5_000_000  # server.jetty.max-http-form-post-size of DS's application.yaml
BODY_CAP = 64 * 1024 * 1024  # bodies beyond this are not read at all: answer, then hang up


class _TooManyTokens(Exception):
    """The same token value is stored twice (POST /access-tokens does not check): the real
    interceptor's `selectOne` throws TooManyResultsException, which the API's exception handler
    answers with HTTP 200 and the endpoint's generic code (3.1.1 observed; same query in 3.2.2
    and dev)."""


# Jetty's error page for a path no servlet mapping takes (the real 404 is text/html)
NOT_FOUND_PAGE = (b"<html>\n<head>\n<title>Error 404 Not Found</title>\n</head>\n"
                  b"<body><h2>HTTP ERROR 404 Not Found</h2></body>\n</html>\n")
HTML = "text/html;charset=iso-8859-1"
# the fields of a real standalone server's health (3.2.2 and dev; details left out)
HEALTH = (b'{"status":"UP","components":{"alert":{"status":"UP"},"api":{"status":"UP"},'
          b'"db":{"status":"UP"},"master":{"status":"UP"},"worker":{"status":"UP"}}}')
HEALTH_G1 = b'{"status":"UP","components":{"db":{"status":"UP"}}}'  # 3.1.1: no role checks
ACTUATOR = "application/vnd.spring-boot.actuator.v3+json"


class Reply:
    """`ctype` None sends no Content-Type (the interceptor's 401 has none)."""

    def __init__(self, status: int, body: bytes = b"", ctype: str | None = "application/json",
                 headers: list[tuple[str, str]] | None = None) -> None:
        self.status = status
        self.body = body
        self.ctype = ctype
        self.headers = headers or []


def _envelope(code: int, msg: str, data: Any) -> bytes:
    body = {"code": code, "msg": msg, "data": data, "failed": code != 0, "success": code == 0}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class App:
    """Routing, authentication and the envelope, independent of the socket handling."""

    def __init__(self, state: State, faults: Faults) -> None:
        self.state = state
        self.faults = faults
        self.routes = build_routes(state.gen)
        self.request_count = 0
        self.in_flight = 0  # requests read and not yet answered (`Sandbox.wait_idle`)
        self.internal_errors: list[str] = []  # sandbox bugs the barrage tests must not see

    def _user(self, headers: Any) -> int | None:
        """The caller's user id, or None (401). A `token` header is used alone, as the real
        interceptor does; raises `_TooManyTokens` when the value matches several live rows."""
        st = self.state
        token = headers.get("token")
        now = datetime.now(UTC).strftime(DATE_FORMAT)
        with st.lock:
            if token:
                users = [int(row["userId"]) for row in st.tokens.values()
                         if row["token"] == token and row["expireTime"] > now]
                if len(users) > 1:
                    raise _TooManyTokens
                return users[0] if users else None
            sid = headers.get("sessionId")
            if not sid and headers.get("Cookie"):
                morsel = SimpleCookie(headers.get("Cookie")).get("sessionId")
                sid = morsel.value if morsel else None
            return st.sessions.get(sid) if sid else None

    def _match(self, method: str, path: str) -> tuple[Route | None, dict[str, str], bool]:
        known_path = False
        for route in self.routes:
            found = route.pattern.match(path)
            if found:
                if route.method == method:
                    return route, found.groupdict(), True
                known_path = True
        return None, {}, known_path

    def handle(self, method: str, target: str, headers: Any, body: bytes | None,
               length: int = 0) -> Reply:
        """`body` is None when it was not kept (too large: `length` says how large)."""
        url = urlsplit(target)
        if not url.path.startswith(CONTEXT):
            return Reply(404, NOT_FOUND_PAGE, HTML)
        path = url.path[len(CONTEXT):] or "/"
        if path == "/actuator/health" and method == "GET":
            return Reply(200, HEALTH_G1 if self.state.gen.g1 else HEALTH, ACTUATOR)
        # Spring serves HEAD with the GET mapping (no body is written)
        route, groups, known = self._match("GET" if method == "HEAD" else method, path)
        user: int | None = None
        if path not in _OPEN:
            try:
                user = self._user(headers)
            except _TooManyTokens:
                if route is not None:  # selectOne's exception, mapped to the handler's code
                    msg = message(route.generic, (), not self.state.gen.g3)
                    return Reply(200, _envelope(route.generic, msg, None))
            if user is None:
                return Reply(401, ctype=None)
        if route is None:
            if known:
                return Reply(405, ctype="text/plain")
            return Reply(404, NOT_FOUND_PAGE, HTML)
        try:
            values = parse_form(url.query.encode("latin-1", "replace"), "Unable to parse URI query")
            ctype = (headers.get("Content-Type") or "").split(";")[0].strip().lower()
            if ctype == "application/x-www-form-urlencoded" and length:
                if body is None:  # PUT forms are Spring's FormContentFilter's: no Jetty limit
                    raise BadParams(f"Unable to parse form content (Form is larger than max "
                                    f"length {FORM_LIMIT if method == 'POST' else BODY_CAP})")
                for key, vals in parse_form(body, "Unable to parse form content").items():
                    values.setdefault(key, []).extend(vals)
            files: dict[str, tuple[str, bytes]] = {}
            if ctype == "multipart/form-data" and body:
                files = parse_multipart(headers.get("Content-Type") or "", body, values)
        except BadParams as exc:
            return self._generic(route, f"400: {exc}")
        ctx = Ctx(self.state, Params(values, groups), user or 1, files=files)
        return self._call(route, ctx)

    def _generic(self, route: Route, detail: str) -> Reply:
        """The `@ApiException` answer of an endpoint whose arguments could not be bound."""
        legacy = not self.state.gen.g3
        msg = message(route.generic, (), legacy)
        if not legacy:
            msg = f"{msg}:{detail}"
        return Reply(200, _envelope(route.generic, msg, None))

    def _call(self, route: Route, ctx: Ctx) -> Reply:
        legacy = not self.state.gen.g3
        try:
            with self.state.lock:
                data = route.handler(ctx)
            if isinstance(data, Download):  # a file, as ResponseEntity<Resource> sends it
                if data.status != 200:
                    return Reply(data.status, data.data, "text/plain;charset=utf-8")
                return Reply(200, data.data, "application/json",
                             [("Content-Disposition", f'attachment; filename="{data.name}"'),
                              ("Accept-Ranges", "bytes")])
            body, status = _envelope(0, "success", data), route.status
        except ApiError as exc:
            status = 200 if exc.thrown else route.status
            body = _envelope(exc.code, message(exc.code, exc.args_, legacy), None)
        except MissingParam as exc:
            return self._generic(route, exc.detail)
        except Exception as exc:  # noqa: BLE001 - the real ApiExceptionHandler catches Throwable
            self.internal_errors.append(f"{route.method} {route.pattern.pattern}: "
                                        f"{type(exc).__name__}: {exc}")
            return self._generic(route, str(exc))
        cookies = [("Set-Cookie", f"{k}={v}; Path=/; HttpOnly") for k, v in ctx.cookies.items()]
        return Reply(status, body, "application/json", cookies)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # keep-alive answers go out at once, not after 40 ms
    timeout = 30  # seconds a client may stall mid-request before its thread is freed
    server: SandboxHTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the sandbox runs inside test suites."""

    def _serve(self) -> None:
        app = self.server.app
        try:
            body, length = self._body()
        except _BadMessage as exc:
            self.close_connection = True
            page = f"<h1>Bad Message 400</h1><pre>reason: {exc}</pre>".encode()
            self._write(Reply(400, page, "text/html", [("Connection", "close")]))
            return
        with app.state.lock:
            app.request_count += 1
            app.in_flight += 1
        try:
            self._answer(app, body, length)
        finally:
            with app.state.lock:
                app.in_flight -= 1

    def _answer(self, app: App, body: bytes | None, length: int) -> None:
        path = urlsplit(self.path).path[len(CONTEXT):]
        fault = app.faults.draw(path)
        if app.faults.latency > 0:
            time.sleep(app.faults.latency)
        if fault is not None and not fault.after:
            self._fault(fault)
            return
        try:
            reply = app.handle(self.command, self.path, self.headers, body, length)
        except Exception as exc:  # noqa: BLE001 - a sandbox bug must not kill the connection
            app.internal_errors.append(f"{self.command} {self.path[:200]}: {exc!r}")
            reply = Reply(500, b'{"status":500,"error":"Internal Server Error"}')
        if fault is not None:
            self._fault(fault)
            return
        self._write(reply)

    def _body(self) -> tuple[bytes | None, int]:
        """(the body or None when none was read, its length), in bounded memory: a body the
        server would refuse anyway is drained (or, past BODY_CAP, not read at all)."""
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            body = self._chunked()
            return body, len(body)
        raw = self.headers.get_all("Content-Length") or []
        if not raw:
            return None, 0
        if len(set(raw)) > 1 or not raw[0].strip().isdigit():
            raise _BadMessage("Invalid Content-Length Value")
        length = int(raw[0])
        if length > BODY_CAP:
            self.close_connection = True  # answered without reading; the rest is never read
            return None, length
        multipart = (self.headers.get("Content-Type") or "").lower().startswith("multipart/")
        # the form limit is Jetty's for urlencoded forms; uploads have Spring's multipart
        # limits (1024MB in DS's application.yaml), so BODY_CAP stands in for them
        if length > FORM_LIMIT and self.command == "POST" and not multipart:
            left = length
            while left > 0:
                got = self.rfile.read(min(left, 1 << 16))
                if not got:
                    break
                left -= len(got)
            return None, length
        return self.rfile.read(length), length

    def _chunked(self) -> bytes:
        parts: list[bytes] = []
        total = 0
        while True:
            line = self.rfile.readline(1024)
            try:
                size = int(line.split(b";")[0].strip() or b"x", 16)
            except ValueError:
                raise _BadMessage("Bad chunk size") from None
            if size == 0:
                while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return b"".join(parts)
            total += size
            if total > BODY_CAP:
                raise _BadMessage("Request body too large")
            parts.append(self.rfile.read(size))
            self.rfile.readline(1024)

    def _fault(self, fault: Fault) -> None:
        if fault.status == 0:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        headers = [("Retry-After", fault.retry_after)] if fault.retry_after else []
        self._write(Reply(fault.status, b"<html><body>Bad Gateway</body></html>"
                          if fault.status == 502 else b"", "text/html", headers))

    def _write(self, reply: Reply) -> None:
        self.send_response(reply.status)
        if reply.ctype is not None:
            charset = "; charset=UTF-8" if reply.body and "charset" not in reply.ctype else ""
            self.send_header("Content-Type", reply.ctype + charset)
        self.send_header("Content-Length", str(len(reply.body)))
        for key, value in reply.headers:
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(reply.body)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_HEAD = _serve


class _BadMessage(Exception):
    """A request Jetty refuses before any servlet runs (HTTP 400 "Bad Message")."""


class SandboxHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], app: App) -> None:
        self.app = app
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up mid-answer is routine; anything else is a sandbox bug,
        recorded rather than printed as a traceback into the test or demo output."""
        exc = sys.exc_info()[1]
        if not isinstance(exc, ConnectionError | TimeoutError):
            self.app.internal_errors.append(f"connection from {client_address[0]}: {exc!r}")
