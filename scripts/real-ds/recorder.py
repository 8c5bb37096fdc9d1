"""A recording proxy: forwards every request to a DolphinScheduler and writes each exchange as
one JSON line, in the format of ../shared/dolphinscheduler/recordings (see its README).

    proxy = Recorder(upstream="http://127.0.0.1:12345", out=Path("rec/3.1.1"), token=TOKEN,
                     tag_file=Path("rec/3.1.1/.current-test"))
    proxy.start()          # proxy.url is http://127.0.0.1:<port>
    ...                    # point the tests at proxy.url + "/dolphinscheduler"
    proxy.stop()

Which test sent a request: the pytest plugin of tests/conftest.py (`DAGSHIP_RECORD_TAG`)
writes `<node id>\\t<phase>` to `tag_file` before each phase; the proxy reads it per
request. Lines go to `<test module>.jsonl` (or `_untagged.jsonl`), in the order the answers
came back; `seq` counts per file, `n` per test. The token's value is replaced by `<TOKEN>`
in every recorded string before parsing; no header is recorded except the two
Content-Types, and `auth` says which credential the request carried ("token", "session",
"none", or {"token": value} for a token the test made itself).

Standard library only: realds.py imports it before the project's venv exists.
"""

from __future__ import annotations

import base64
import contextlib
import email.parser
import email.policy
import http.client
import json
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

PLACEHOLDER = "<TOKEN>"
_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade",
        "proxy-authorization", "proxy-authenticate", "content-length", "host",
        "accept-encoding"}


def multipart_parts(ctype: str, body: bytes, redact: Any) -> list[dict[str, Any]]:
    """Each part of a multipart body as `{name, filename, size}` (the recordings' format),
    plus what a replay needs to send the same request again: a text field's `value`, and a
    file's bytes (`content_b64`, up to 1 MiB; a resource upload's form fields and file
    decide the answer, so a replay without them would compare nothing real)."""
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + ctype.encode("latin-1") + b"\r\n\r\n" + body)
    parts: list[dict[str, Any]] = []
    for part in message.iter_parts():
        data = part.get_payload(decode=True) or b""
        row: dict[str, Any] = {"name": part.get_param("name", header="content-disposition"),
                               "filename": part.get_filename(), "size": len(data)}
        if row["filename"] is None:
            row["value"] = redact(data.decode("utf-8", "replace"))
        elif len(data) <= 1 << 20:
            row["content_b64"] = base64.b64encode(data).decode("ascii")
        parts.append(row)
    return parts


def record_run(cmd: list[str], repo: Path, env: dict[str, str], upstream: str, out: Path,
               meta: dict[str, Any]) -> tuple[int, int]:
    """Run `cmd` (pytest on the suites) with its DolphinScheduler URL pointed at a recording
    proxy in front of `upstream`; write `out` whole (old transcripts removed) and its
    `_meta.json`. Returns (pytest's exit code, exchanges recorded)."""
    out.mkdir(parents=True, exist_ok=True)
    for old in [*out.glob("*.jsonl"), out / "_meta.json"]:
        old.unlink(missing_ok=True)  # a recording is made whole, never appended to
    tag = out / ".current-test"
    proxy = Recorder(upstream, out, env["DAGSHIP_REAL_DS_TOKEN"], tag).start()
    context = urlsplit(env["DAGSHIP_REAL_DS_URL"]).path
    env = dict(env, DAGSHIP_REAL_DS_URL=proxy.url + context, DAGSHIP_RECORD_TAG=str(tag),
               DAGSHIP_RECORD_DIR=str(out))
    try:
        rc = subprocess.run(cmd, cwd=repo, env=env, check=False).returncode
    finally:
        proxy.stop()
        tag.unlink(missing_ok=True)
    head = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True,
                          text=True, check=False).stdout.strip()
    meta = {**meta, "recorded_on": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()),
            "commit": head or None, "exchanges": proxy.count, "pytest_exit": rc}
    (out / "_meta.json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    return rc, proxy.count


class Recorder:
    def __init__(self, upstream: str, out: Path, token: str, tag_file: Path) -> None:
        parts = urlsplit(upstream)
        self.https = parts.scheme == "https"
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or (443 if self.https else 80)
        self.out = out
        self.token = token
        self.tag_file = tag_file
        self.lock = threading.Lock()
        self.seq: dict[str, int] = {}
        self.per_test: dict[str | None, int] = {}
        self.count = 0
        out.mkdir(parents=True, exist_ok=True)
        recorder = self

        class Handler(_Handler):
            rec = recorder

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> Recorder:
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True,
                                       name="ds-recorder")
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def redact(self, text: str) -> str:
        return text.replace(self.token, PLACEHOLDER) if self.token else text

    def tag(self) -> tuple[str | None, str | None]:
        with contextlib.suppress(OSError):
            text = self.tag_file.read_text(encoding="utf-8").strip()
            if text:
                test, _, phase = text.partition("\t")
                return test, phase or None
        return None, None

    def write(self, line: dict[str, Any], test: str | None) -> None:
        name = (Path(test.split("::")[0]).stem if test else "_untagged") + ".jsonl"
        with self.lock:
            self.seq[name] = self.seq.get(name, 0) + 1
            self.per_test[test] = self.per_test.get(test, 0) + 1
            self.count += 1
            line = {"seq": self.seq[name], "test": test, **line, "n": self.per_test[test]}
            order = ("seq", "test", "phase", "n", "method", "path", "query", "content_type",
                     "form", "json_body", "status", "response_content_type", "response",
                     "auth", "elapsed_ms")
            ordered = {k: line[k] for k in order if k in line}
            with (self.out / name).open("a", encoding="utf-8") as handle:
                handle.write(json.dumps(ordered, ensure_ascii=False, separators=(",", ":"))
                             + "\n")


def _parse_body(text: str) -> Any:
    if text == "":
        return ""
    try:
        return json.loads(text)
    except ValueError:
        return text


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    rec: Recorder

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: it runs inside a test session."""

    def _serve(self) -> None:
        rec = self.rec
        test, phase = rec.tag()
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP}
        started = time.monotonic()
        conn: http.client.HTTPConnection = (
            http.client.HTTPSConnection(rec.host, rec.port, timeout=120) if rec.https
            else http.client.HTTPConnection(rec.host, rec.port, timeout=120))
        try:
            conn.request(self.command, self.path, body=body or None, headers=headers)
            resp = conn.getresponse()
            payload = resp.read()
            status, resp_headers = resp.status, resp.getheaders()
        finally:
            conn.close()
        elapsed = round((time.monotonic() - started) * 1000, 1)
        rec.write(self._line(body, status, resp_headers, payload, phase, elapsed), test)
        self.send_response_only(status)
        for key, value in resp_headers:
            if key.lower() not in _HOP:
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    def _line(self, body: bytes, status: int, resp_headers: list[tuple[str, str]],
              payload: bytes, phase: str | None, elapsed: float) -> dict[str, Any]:
        rec = self.rec
        url = urlsplit(self.path)
        ctype = self.headers.get("Content-Type")
        text = rec.redact(body.decode("utf-8", "replace"))
        line: dict[str, Any] = {
            "phase": phase, "method": self.command, "path": rec.redact(url.path),
            "query": parse_qs(rec.redact(url.query), keep_blank_values=True),
            "content_type": ctype, "form": None}
        base = (ctype or "").split(";")[0].strip().lower()
        if body and base == "application/x-www-form-urlencoded":
            line["form"] = parse_qs(text, keep_blank_values=True)
        elif body and base == "application/json":
            line["form"] = "json"
            line["json_body"] = _parse_body(text)
        elif body and base.startswith("multipart/"):
            line["form"] = {"multipart": multipart_parts(ctype or "", body, rec.redact)}
        elif body:
            line["form"] = {"raw": text}
        resp_ctype = next((v for k, v in resp_headers if k.lower() == "content-type"), None)
        line.update(status=status, response_content_type=resp_ctype,
                    response=_parse_body(rec.redact(payload.decode("utf-8", "replace"))),
                    auth=self._auth(), elapsed_ms=elapsed)
        return line

    def _auth(self) -> Any:
        token = self.headers.get("token")
        if token is not None:
            return "token" if token == self.rec.token else {"token": token}
        cookie = self.headers.get("Cookie") or ""
        return "session" if self.headers.get("sessionId") or "sessionId=" in cookie else "none"

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _serve
