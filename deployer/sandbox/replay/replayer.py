"""Replay a recording's requests against a fresh sandbox of its dialect and compare answers.

The whole recording runs against one sandbox, file after file in the order the tests ran,
because ids and list contents depend on everything the session made before. Each request is
rewritten with the codes and schedule ids learnt so far (`ValueMap`), the `<TOKEN>`
placeholder becomes the sandbox's token, and it is sent as it was recorded (method, query,
form, Content-Type).

Credentials: the recorded `auth` field when there is one. Older recordings do not say, so:
after a test created an access token with a value of its own, its later requests (except to
`/access-tokens`) used that token; a request answered 401 carried no valid token; any other
request carried the run's token.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import requests

from deployer.sandbox import Sandbox
from deployer.sandbox.replay.compare import Answer, Difference, compare, request_strings
from deployer.sandbox.replay.recording import CONTEXT, Exchange, Recording
from deployer.sandbox.replay.values import ValueMap

__all__ = ["Compared", "Replay", "replay"]

TOKEN = "<TOKEN>"  # noqa: S105 - the redaction placeholder of the recordings
TIMEOUT = 30.0


@dataclass
class Compared:
    exchange: Exchange
    differences: list[Difference]


@dataclass
class Replay:
    recording: Recording
    results: list[Compared] = field(default_factory=list)
    internal_errors: list[str] = field(default_factory=list)
    values: ValueMap = field(default_factory=ValueMap)


class _Auth:
    """Which token each request carries (see the module docstring)."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.own: dict[str | None, str] = {}

    def headers(self, ex: Exchange) -> dict[str, str]:
        auth = ex.auth
        if auth == "none":
            return {}
        if isinstance(auth, dict) and isinstance(auth.get("token"), str):
            value = auth["token"]
            return {"token": self.token if value == TOKEN else value}
        if auth is None and not ex.path.endswith("/access-tokens"):
            if ex.test in self.own:
                return {"token": self.own[ex.test]}
            if ex.status == 401:
                return {}
        return {"token": self.token}

    def saw(self, ex: Exchange) -> None:
        if ex.method == "POST" and ex.path.endswith("/access-tokens") and isinstance(
                ex.form, dict) and ex.form.get("token"):
            self.own[ex.test] = str(ex.form["token"][0])


def _swap(value: str, token: str) -> str:
    return value.replace(TOKEN, token)


def _form_body(ex: Exchange, values: ValueMap, token: str) -> tuple[Any, list[str]]:
    """(body for requests, the strings it carries) of a recorded request."""
    form = ex.form
    if form is None:
        return None, []
    if form == "json":
        body = values.json(json.loads(_swap(json.dumps(ex.json_body), token)))
        return json.dumps(body).encode(), [json.dumps(body)]
    if isinstance(form, dict) and "multipart" in form:
        # the text fields go as form data beside the files `_send` attaches
        fields = values.params({str(p["name"]): [_swap(str(p["value"]), token)]
                                for p in _parts(form) if p.get("filename") is None
                                and "value" in p})
        return fields, [v for vs in fields.values() for v in vs]
    if isinstance(form, dict) and "raw" in form:
        text = values.text(_swap(str(form["raw"]), token))
        return text.encode(), [text]
    fields = values.params({k: [_swap(v, token) for v in vs] for k, vs in form.items()})
    return urlencode(fields, doseq=True).encode(), [v for vs in fields.values() for v in vs]


def _parts(form: dict[str, Any]) -> list[dict[str, Any]]:
    return [p for p in form.get("multipart") or [] if isinstance(p, dict)]


def _multipart(form: dict[str, Any]) -> dict[str, tuple[str, bytes]]:
    """The file parts: their recorded bytes, or as many placeholder bytes when a recording
    (an older one, or a file over the recorder's limit) kept only the size."""
    return {str(p.get("name")): (str(p.get("filename") or "file"),
                                 base64.b64decode(p["content_b64"]) if "content_b64" in p
                                 else b"x" * int(p.get("size") or 0))
            for p in _parts(form) if p.get("filename") is not None or "value" not in p}


def _parse(response: requests.Response) -> Any:
    if not response.content:
        return ""
    try:
        return response.json()
    except ValueError:
        return response.text


def _send(http: requests.Session, sb: Sandbox, ex: Exchange, values: ValueMap,
          auth: _Auth) -> tuple[Answer, frozenset[str]]:
    path = values.path(_swap(ex.path, sb.token))
    bare = path[len(CONTEXT):] if path.startswith(CONTEXT) else path
    query = values.params({k: [_swap(v, sb.token) for v in vs] for k, vs in ex.query.items()})
    body, carried = _form_body(ex, values, sb.token)
    headers = auth.headers(ex)
    files = None
    if isinstance(ex.form, dict) and "multipart" in ex.form:
        files = _multipart(ex.form)
    elif ex.content_type:
        headers["Content-Type"] = ex.content_type
    url = sb.base_url + bare + (f"?{urlencode(query, doseq=True)}" if query else "")
    http.cookies.clear()  # a login's session cookie must not authenticate later requests
    response = http.request(ex.method, url, data=body, files=files, headers=headers,
                            timeout=TIMEOUT, allow_redirects=False)
    sent = request_strings([path, *(v for vs in query.values() for v in vs), *carried])
    return Answer(response.status_code, response.headers.get("Content-Type"),
                  _parse(response)), sent


def replay(recording: Recording) -> Replay:
    """Every exchange of `recording`, replayed in order against one fresh sandbox."""
    out = Replay(recording)
    with Sandbox(api_version=recording.dialect) as sb, requests.Session() as http:
        http.headers["Accept"] = "application/json"
        auth = _Auth(sb.token)
        for ex in recording.exchanges:
            answer, sent = _send(http, sb, ex, out.values, auth)
            auth.saw(ex)
            recorded = Answer(ex.status, ex.response_content_type, ex.response)
            found = compare(ex.endpoint, recorded, answer, out.values, sent)
            out.results.append(Compared(ex, found))
        out.internal_errors = sb.internal_errors
    return out
