"""The HTTP layer: a ThreadingHTTPServer speaking the DolphinScheduler v1 transport.

Parameters come from the query string and url-encoded form bodies only (a JSON body is
ignored, so required parameters are then missing). Unauthenticated requests get 401 with an
empty body. Paths outside the generation's table get a plain-text 404, as a server without
the UI bundle answers. State mutations run under the state lock, one request at a time.
"""

from __future__ import annotations

import contextlib
import json
import socket
import time
from datetime import UTC, datetime
from http.cookies import SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from deployer.sandbox.faults import Fault, Faults
from deployer.sandbox.params import Params
from deployer.sandbox.routes import Ctx, Route, build_routes
from deployer.sandbox.status import ApiError, MissingParam, message
from deployer.sandbox.store import DATE_FORMAT, State

__all__ = ["CONTEXT", "App", "SandboxHTTPServer"]

CONTEXT = "/dolphinscheduler"
_OPEN = ("/login", "/actuator/health")


class _TooManyTokens(Exception):
    """The same token value is stored twice (POST /access-tokens does not check): the real
    interceptor's `selectOne` throws TooManyResultsException, which the API's exception handler
    answers with HTTP 200 and the endpoint's generic code (3.1.1 observed; same query in 3.2.2
    and dev)."""


class Reply:
    def __init__(self, status: int, body: bytes = b"", ctype: str = "application/json",
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

    def handle(self, method: str, target: str, headers: Any, body: bytes) -> Reply:
        url = urlsplit(target)
        if not url.path.startswith(CONTEXT):
            return Reply(404, b"Not Found", "text/plain")
        path = url.path[len(CONTEXT):] or "/"
        if path == "/actuator/health" and method == "GET":
            return Reply(200, b'{"status":"UP","components":{"db":{"status":"UP"}}}')
        route, groups, known = self._match(method, path)
        user: int | None = None
        if path not in _OPEN:
            try:
                user = self._user(headers)
            except _TooManyTokens:
                if route is not None:  # selectOne's exception, mapped to the handler's code
                    msg = message(route.generic, (), not self.state.gen.g3)
                    return Reply(200, _envelope(route.generic, msg, None))
            if user is None:
                return Reply(401)
        if route is None:
            return Reply(405 if known else 404, b"Not Found" if not known else b"", "text/plain")
        values = parse_qs(url.query, keep_blank_values=True)
        ctype = (headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if ctype == "application/x-www-form-urlencoded" and body:
            for key, vals in parse_qs(body.decode("utf-8", "replace"),
                                      keep_blank_values=True).items():
                values.setdefault(key, []).extend(vals)
        ctx = Ctx(self.state, Params(values, groups), user or 1)
        return self._call(route, ctx)

    def _call(self, route: Route, ctx: Ctx) -> Reply:
        legacy = not self.state.gen.g3
        try:
            with self.state.lock:
                data = route.handler(ctx)
            body, status = _envelope(0, "success", data), route.status
        except ApiError as exc:
            status = 200 if exc.thrown else route.status
            body = _envelope(exc.code, message(exc.code, exc.args_, legacy), None)
        except MissingParam as exc:
            msg = message(route.generic, (), legacy)
            if not legacy:
                msg = f"{msg}:{exc.detail}"
            body, status = _envelope(route.generic, msg, None), 200
        cookies = [("Set-Cookie", f"{k}={v}; Path=/; HttpOnly") for k, v in ctx.cookies.items()]
        return Reply(status, body, "application/json", cookies)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # keep-alive answers go out at once, not after 40 ms
    server: SandboxHTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the sandbox runs inside test suites."""

    def _serve(self) -> None:
        app = self.server.app
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        with app.state.lock:
            app.request_count += 1
        path = urlsplit(self.path).path[len(CONTEXT):]
        fault = app.faults.draw(path)
        if app.faults.latency > 0:
            time.sleep(app.faults.latency)
        if fault is not None and not fault.after:
            self._fault(fault)
            return
        reply = app.handle(self.command, self.path, self.headers, body)
        if fault is not None:
            self._fault(fault)
            return
        self._write(reply)

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
        self.send_header("Content-Type", reply.ctype + ("; charset=UTF-8" if reply.body else ""))
        self.send_header("Content-Length", str(len(reply.body)))
        for key, value in reply.headers:
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(reply.body)

    do_GET = do_POST = do_PUT = do_DELETE = _serve


class SandboxHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], app: App) -> None:
        self.app = app
        super().__init__(address, _Handler)
