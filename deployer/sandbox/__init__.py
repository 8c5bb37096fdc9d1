"""The embedded DolphinScheduler-compatible REST API (see docs/design.md, "Sandbox").

    with Sandbox(api_version="3.3", datasources={"pg": "POSTGRESQL"}) as sb:
        requests.get(sb.base_url + "/projects/list", headers={"token": sb.token})
"""

from __future__ import annotations

import secrets
import ssl
import threading
import time
from types import TracebackType
from typing import Self

from deployer.sandbox.faults import Faults
from deployer.sandbox.generation import Generation
from deployer.sandbox.routes import add_token
from deployer.sandbox.server import CONTEXT, App, SandboxHTTPServer
from deployer.sandbox.store import State

__all__ = ["Sandbox", "State"]

PRESET_EXPIRY = "2099-12-31 23:59:59"


class Sandbox:
    def __init__(self, api_version: str = "3.3", token: str | None = None,
                 datasources: dict[str, str] | None = None,
                 environments: dict[str, str] | None = None, fault_rate: float = 0.0,
                 latency: float = 0.0, seed: int | None = None,
                 state_path: str | None = None, port: int = 0,
                 host: str = "127.0.0.1", tls: tuple[str, str] | None = None,
                 execute: bool = False, task_timeout: float | None = None) -> None:
        """`tls=(certfile, keyfile)` serves https:// (tests of certificate verification).
        `execute`: started instances really run their Shell and Python tasks (each killed
        after `task_timeout` seconds, unless the task sets a timeout of its own)."""
        self.api_version = api_version
        self.state = State(Generation(api_version), datasources=datasources,
                           environments=environments, state_path=state_path)
        self.state.runs.execute = execute
        if task_timeout is not None:
            self.state.runs.task_timeout = task_timeout
        self.token = token or secrets.token_hex(16)
        with self.state.lock:
            if not any(t["token"] == self.token for t in self.state.tokens.values()):
                add_token(self.state, self.token, PRESET_EXPIRY)
        self.faults = Faults(fault_rate, latency, seed)
        self._app = App(self.state, self.faults)
        self._server = SandboxHTTPServer((host, port), self._app)
        self.scheme = "http"
        if tls is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls)
            self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
            self.scheme = "https"
        self._thread: threading.Thread | None = None
        self.host = host

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}{CONTEXT}"

    @property
    def request_count(self) -> int:
        return self._app.request_count

    @property
    def internal_errors(self) -> list[str]:
        """Unexpected exceptions the server answered for (a sandbox bug each); tests assert
        this stays empty."""
        return list(self._app.internal_errors)

    def wait_idle(self, quiet: float = 0.2, timeout: float = 10.0) -> None:
        """Return once no request is being answered and none arrived for `quiet` seconds: a
        client killed mid-request leaves its last request running in the server, and a test
        that goes on at once would race it."""
        deadline = time.monotonic() + timeout
        seen = -1
        while time.monotonic() < deadline:
            with self.state.lock:
                count, busy = self._app.request_count, self._app.in_flight
            if busy == 0 and count == seen:
                return
            seen = count if busy == 0 else -1
            time.sleep(quiet)
        raise TimeoutError(f"the sandbox was still busy after {timeout} s")

    def set_faults(self, rate: float, latency: float | None = None) -> None:
        self.faults.set(rate, latency)

    def start(self) -> Self:
        if self._thread is None:
            self._thread = threading.Thread(target=self._server.serve_forever,
                                            kwargs={"poll_interval": 0.1},
                                            name="dagship-sandbox", daemon=True)
            self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in the calling thread (the CLI); returns after `stop()`/shutdown."""
        self._server.serve_forever(poll_interval=0.2)

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._server.server_close()
        self.state.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
