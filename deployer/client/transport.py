"""One HTTP exchange with the scheduler: session, timeouts, envelope decoding, error mapping.

Decisions are made on the body's `code`, never on the HTTP status (the server answers 201 for
created objects even when `code != 0`, and 200 for thrown errors). Only 401 (the interceptor's
empty-bodied rejection) and the retryable 429/502/503/504 are judged by status.

Every request is logged at DEBUG on `dagship.http` as one line, without headers; the logger
carries a `RedactingFilter`, and every message we build passes through `redact` as well.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import os
import socket
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests

from deployer.client.retry import RETRYABLE_STATUS, RetryableStatus, RetryPolicy, parse_retry_after
from deployer.core.errors import ApiError, AuthError, ConfigError, NothingListens, TransportError
from deployer.core.redact import redact, register_secret

log = logging.getLogger("dagship.http")

SNIPPET = 200  # characters of a non-JSON body quoted in errors
HINT_404 = " (is the target url the API root, e.g. http://host:12345/dolphinscheduler?)"
CONNECT_TIMEOUT_CAP = 10.0  # a TCP connect that takes longer will not succeed by waiting
_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class Answer:
    """One HTTP answer: status, the decoded envelope (None if not one) and the raw text."""

    status: int
    envelope: dict[str, Any] | None
    text: str
    content: bytes = b""  # the raw body (a downloaded file)
    attachment: bool = False  # Content-Disposition: attachment (a download)


def encode_form(params: Mapping[str, Any] | None) -> dict[str, str]:
    """Form/query fields: lists and dicts as JSON strings, None left out, bools lower-case."""
    out: dict[str, str] = {}
    for key, value in (params or {}).items():
        if value is None:
            continue
        if isinstance(value, list | dict):
            out[key] = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        elif isinstance(value, bool):
            out[key] = "true" if value else "false"
        else:
            out[key] = str(value)
    return out


def plain_http_warning(url: str) -> str | None:
    """A warning when the token would cross the network unencrypted (http:// to a host that
    is not this machine); None for https:// and for loopback (the sandbox, a tunnel)."""
    parts = urlsplit(url)
    if parts.scheme != "http":
        return None
    host = (parts.hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return None
    try:
        if ipaddress.ip_address(host).is_loopback:
            return None
    except ValueError:
        pass
    return (f"{url} uses plain http:// to {host}: the API token travels unencrypted; "
            "use https:// (with ca_bundle for a private CA)")


# Base URLs that have answered in this process: a refused connection there later is a
# restart (retried), not a wrong address. Shared by every client of a run (apply opens one
# per worker).
_ANSWERED: set[str] = set()


def nothing_listens(exc: BaseException) -> str | None:
    """Why nothing can answer at the address, when waiting cannot change it: the connection
    was refused, or the host name does not exist (a temporary DNS failure is retried)."""
    seen: set[int] = set()
    stack: list[Any] = [exc]
    while stack:
        cause = stack.pop()
        if not isinstance(cause, BaseException) or id(cause) in seen:
            continue
        seen.add(id(cause))
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused by {}: nothing listens there"
        if isinstance(cause, socket.gaierror) and cause.errno == socket.EAI_NONAME:
            return "no such host: {host}"
        stack += [cause.__cause__, cause.__context__, getattr(cause, "reason", None),
                  *cause.args]
    return None


def _decode(text: str) -> dict[str, Any] | None:
    try:
        body = json.loads(text)
    except ValueError:
        return None
    if isinstance(body, dict) and isinstance(body.get("code"), int):
        return body
    return None


class Transport:
    """The session and the single request function every call goes through."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout: float,
        policy: RetryPolicy,
        ca_bundle: str | None = None,
    ) -> None:
        register_secret(token)  # before anything could log or raise with it
        token = token.strip()  # a token file or secret store often adds a newline
        register_secret(token)
        if not token:
            raise AuthError("no API token given")
        if any(ch.isspace() or not ch.isprintable() for ch in token):
            # requests would echo the header value in its error, escaped past redaction
            raise AuthError("the API token contains whitespace or control characters")
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.policy = policy
        self.request_count = 0
        self.session = requests.Session()
        self.session.headers["token"] = token
        self.session.headers["Accept"] = "application/json"
        if ca_bundle and not os.path.isfile(ca_bundle):
            # requests would fail every request with an OSError instead
            raise ConfigError(f"ca_bundle {ca_bundle}: no such file (a PEM file of the CA "
                              "certificates the scheduler's TLS certificate is checked against)")
        self.session.verify = ca_bundle or True  # TLS verification is never switched off

    def close(self) -> None:
        self.session.close()

    # -- one attempt -------------------------------------------------------------------------
    def exchange(self, method: str, path: str, params: Mapping[str, Any] | None = None,
                 files: Mapping[str, tuple[str, bytes]] | None = None) -> Answer:
        """Send exactly one request. Raises the retryable failures for the policy to judge.
        `files` makes it multipart (resource uploads): field -> (file name, bytes)."""
        fields = encode_form(params)
        in_body = method in ("POST", "PUT")
        self.request_count += 1
        started = time.monotonic()
        try:
            response = self.session.request(
                method,
                self.base_url + path,
                params=None if in_body else fields,
                data=fields if in_body else None,
                files=dict(files) if files else None,
                timeout=(min(self.timeout, CONNECT_TIMEOUT_CAP), self.timeout),
                allow_redirects=False,
            )
        except requests.exceptions.SSLError as exc:
            self._log(method, path, "TLS error", started)
            raise TransportError(
                f"{method} {path}: TLS verification failed ({redact(str(exc))}); "
                "give the target a ca_bundle if the scheduler uses a private CA"
            ) from exc
        except (requests.ConnectionError, requests.Timeout) as exc:
            self._log(method, path, type(exc).__name__, started)
            why = nothing_listens(exc) if self.base_url not in _ANSWERED else None
            if why is not None:
                parts = urlsplit(self.base_url)
                where = f"{parts.hostname}:{parts.port or _PORTS.get(parts.scheme, '')}"
                raise NothingListens(f"{method} {path}: "
                                     f"{why.format(where, host=parts.hostname)}") from exc
            raise
        except requests.RequestException as exc:
            self._log(method, path, type(exc).__name__, started)
            raise TransportError(f"{method} {path}: {redact(str(exc))}") from exc
        _ANSWERED.add(self.base_url)
        envelope = _decode(response.text)
        code = envelope["code"] if envelope is not None else "-"
        self._log(method, path, f"{response.status_code} code={code}", started)
        if response.status_code in RETRYABLE_STATUS:
            raise RetryableStatus(
                response.status_code, parse_retry_after(response.headers.get("Retry-After"))
            )
        disposition = (response.headers.get("Content-Disposition") or "").lower()
        return Answer(response.status_code, envelope, response.text, response.content,
                      disposition.startswith("attachment"))

    def check(self, method: str, path: str, answer: Answer) -> Any:
        """The envelope's `data`, or the matching error: AuthError, TransportError, ApiError."""
        endpoint = f"{method} {path}"
        if answer.status == 401:
            raise AuthError("the scheduler rejected the token (HTTP 401)")
        if answer.envelope is None:
            snippet = redact(answer.text)[:SNIPPET]
            hint = HINT_404 if answer.status == 404 else ""
            raise TransportError(
                f"{endpoint}: the scheduler answered HTTP {answer.status} without a JSON "
                f"envelope: {snippet!r}{hint}"
            )
        code = answer.envelope["code"]
        if code != 0:
            server_msg = redact(str(answer.envelope.get("msg") or "no message"))
            raise ApiError(f"{endpoint}: {server_msg} (code {code})", code=code, endpoint=endpoint)
        return answer.envelope.get("data")

    def once(self, method: str, path: str, params: Mapping[str, Any] | None = None,
             files: Mapping[str, tuple[str, bytes]] | None = None) -> Any:
        """One attempt, decoded: for check-then-act steps that run inside the policy."""
        return self.check(method, path, self.exchange(method, path, params, files))

    def download(self, path: str, params: Mapping[str, Any] | None = None) -> bytes:
        """A file body, retried under the policy. Only the file comes as an attachment; an
        error comes as a JSON envelope or as plain text (3.1.1 labels the file itself
        application/json whatever it holds, so the content type says nothing)."""
        def attempt(_n: int) -> bytes:
            answer = self.exchange("GET", path, params)
            if answer.status == 200 and answer.attachment:
                return answer.content
            if answer.envelope is not None or answer.status == 401:
                self.check("GET", path, answer)  # raises for the error code
            snippet = redact(answer.text)[:SNIPPET]
            raise TransportError(f"GET {path}: the scheduler answered HTTP {answer.status} "
                                 f"instead of the file: {snippet!r}")
        return self.policy.run(attempt, f"GET {path}")

    def call(self, method: str, path: str, params: Mapping[str, Any] | None = None) -> Any:
        """A request that is safe to repeat, retried under the policy; returns `data`."""
        return self.policy.run(lambda _attempt: self.once(method, path, params), f"{method} {path}")

    def _log(self, method: str, path: str, outcome: str, started: float) -> None:
        elapsed_ms = (time.monotonic() - started) * 1000
        log.debug("%s %s -> %s (%d ms)", method, path, outcome, elapsed_ms)
