"""The sandbox survives hostile requests with the real server's answers, and keeps serving.

Real server behaviour these follow (DolphinScheduler 3.x on Jetty 9.4 / Spring MVC): Jetty parses
parameters lazily, and a parse failure (bad `%XX`, bytes that are not UTF-8, a form over
`server.jetty.max-http-form-post-size` = 5,000,000) surfaces while Spring binds the
endpoint's arguments, so `ApiExceptionHandler` answers HTTP 200 with the endpoint's
`@ApiException` code and, from 3.2 on, `msg` + ":" + the exception's message. A malformed
Content-Length never reaches a servlet: Jetty answers `400 Bad Message`.
"""

from __future__ import annotations

import http.client
import json
import socket
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from hypothesis import given
from hypothesis import strategies as st

from deployer.sandbox import Sandbox

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.fixture(scope="module", params=["3.1", "3.3"])
def sb(request: pytest.FixtureRequest) -> Iterator[Sandbox]:
    with Sandbox(api_version=request.param, token="robust-token-0123") as server:
        yield server


def _call(sb: Sandbox, method: str, path: str, **kwargs: Any) -> requests.Response:
    headers = {"token": sb.token, **kwargs.pop("headers", {})}
    return requests.request(method, sb.base_url + path, headers=headers, timeout=30, **kwargs)


def _raw(sb: Sandbox, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", sb.port), timeout=30) as conn:
        conn.sendall(request)
        conn.shutdown(socket.SHUT_WR)
        chunks = []
        while chunk := conn.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def _unquoted_get(sb: Sandbox, target: str) -> tuple[int, Any]:
    """GET with the target sent as written (requests would re-quote a bad `%`)."""
    conn = http.client.HTTPConnection("127.0.0.1", sb.port, timeout=30)
    try:
        conn.request("GET", "/dolphinscheduler" + target, headers={"token": sb.token})
        answer = conn.getresponse()
        return answer.status, json.loads(answer.read())
    finally:
        conn.close()


def _generic(sb: Sandbox, response: requests.Response | tuple[int, Any], code: int,
             detail: str) -> None:
    if isinstance(response, tuple):
        status, body = response
    else:
        status, body = response.status_code, response.json()
    assert status == 200
    assert (body["code"], body["failed"], body["data"]) == (code, True, None)
    if sb.api_version == "3.1":
        assert ":" not in body["msg"]  # 3.1's handler answers the status text alone
    else:
        assert body["msg"].endswith(":" + detail) or detail in body["msg"]


def _still_serving(sb: Sandbox) -> None:
    assert requests.get(sb.base_url + "/actuator/health", timeout=30).json()["status"] == "UP"
    listed = _call(sb, "GET", "/projects/list").json()
    assert listed["code"] == 0
    assert isinstance(listed["data"], list)
    assert sb.internal_errors == []


@pytest.mark.parametrize(("query", "detail"), [
    ("pageNo=1&pageSize=%zz", "400: Unable to parse URI query (Not valid encoding 'zz')"),
    ("pageNo=1&pageSize=10%", "400: Unable to parse URI query (Not valid encoding '')"),
    ("pageNo=1&pageSize=%ff", "400: Unable to parse URI query (not valid UTF-8)"),
])
def test_bad_percent_encoding_in_the_query_is_the_endpoints_generic_code(sb, query, detail):
    _generic(sb, _unquoted_get(sb, "/projects?" + query), 10049, detail)
    _still_serving(sb)


@pytest.mark.parametrize("body", [b"projectName=%E0%A4", b"projectName=a%2", b"projectName=\xff"])
def test_a_form_that_is_not_utf8_or_badly_encoded_creates_nothing(sb, body):
    _generic(sb, _call(sb, "POST", "/projects", data=body, headers=FORM), 10048,
             "400: Unable to parse form content")
    _still_serving(sb)


def test_a_form_over_jettys_limit_is_refused_and_nothing_is_created(sb):
    body = b"projectName=huge&description=" + b"x" * 5_000_000
    _generic(sb, _call(sb, "POST", "/projects", data=body, headers=FORM), 10048,
             "Form is larger than max length 5000000")
    assert not any(p["name"] == "huge" for p in _call(sb, "GET", "/projects/list").json()["data"])
    _still_serving(sb)


def test_a_body_announced_far_too_large_is_answered_without_being_read(sb):
    answer = _raw(sb, b"POST /dolphinscheduler/projects HTTP/1.1\r\nHost: x\r\n"
                      b"token: " + sb.token.encode() + b"\r\n"
                      b"Content-Type: application/x-www-form-urlencoded\r\n"
                      b"Content-Length: 999999999999\r\n\r\nprojectName=x")
    assert answer.startswith(b"HTTP/1.1 200 ")
    assert b'"code":10048' in answer
    _still_serving(sb)


@pytest.mark.parametrize("lengths", [[b"abc"], [b"-5"], [b"5", b"6"]])
def test_a_malformed_content_length_is_jettys_400(sb, lengths):
    head = b"".join(b"Content-Length: " + n + b"\r\n" for n in lengths)
    answer = _raw(sb, b"POST /dolphinscheduler/projects HTTP/1.1\r\nHost: x\r\n" + head +
                  b"\r\nprojectName=x")
    assert answer.startswith(b"HTTP/1.1 400 ")
    assert b"Bad Message 400" in answer
    _still_serving(sb)


def test_garbage_and_oversized_request_heads_get_http_errors(sb):
    assert b"400 - Bad request syntax" in _raw(sb, b"GARBAGE\r\n\r\n")  # HTTP/0.9: no head
    assert _raw(sb, b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\n\r\n").startswith(b"HTTP/1.1 414")
    big = b"GET /dolphinscheduler/projects/list HTTP/1.1\r\nX-Big: " + b"b" * 70_000 + b"\r\n\r\n"
    assert _raw(sb, big).startswith(b"HTTP/1.1 431")
    _still_serving(sb)


def test_a_chunked_form_is_read(sb):
    def chunks() -> Iterator[bytes]:
        yield b"projectName=chun"
        yield b"ked&description=d"

    created = _call(sb, "POST", "/projects", data=chunks(), headers=FORM)
    assert created.json()["code"] == 0
    assert created.json()["data"]["name"] == "chunked"
    _still_serving(sb)


def test_a_json_body_binds_no_parameters(sb):
    answer = _call(sb, "POST", "/projects", json={"projectName": "js"})
    _generic(sb, answer, 10048, "projectName")
    answer = _call(sb, "POST", "/projects", data=b"{not json", headers={
        "Content-Type": "application/json"})
    _generic(sb, answer, 10048, "projectName")
    _still_serving(sb)


def test_wrong_types_and_missing_parameters_are_the_generic_code(sb):
    _generic(sb, _call(sb, "GET", "/projects", params={"pageNo": "x", "pageSize": "1"}), 10049,
             "Failed to convert 'x' for 'pageNo'")
    _generic(sb, _call(sb, "GET", "/projects/abc"), 10047, "Failed to convert path variable")
    _generic(sb, _call(sb, "POST", "/projects", data={}), 10048, "projectName")
    _still_serving(sb)


def test_a_parameter_given_twice_binds_as_spring_converts_string_arrays(sb):
    # a string parameter gets the values joined with commas, a number the first value
    created = _call(sb, "POST", "/projects", data=[("projectName", "a"), ("projectName", "b")])
    assert created.json()["data"]["name"] == "a,b"
    page = _call(sb, "GET", "/projects?pageNo=1&pageNo=9&pageSize=50").json()
    assert page["code"] == 0
    assert page["data"]["currentPage"] == 1
    _still_serving(sb)


def test_unknown_routes_and_methods(sb):
    assert _call(sb, "GET", "/nope").status_code == 404
    assert requests.get(f"http://127.0.0.1:{sb.port}/other", timeout=30).status_code == 404
    assert _call(sb, "PATCH", "/projects/list").status_code == 405
    head = _call(sb, "HEAD", "/projects/list")
    assert head.status_code == 200
    assert head.content == b""
    _still_serving(sb)


_PATHS = ["/projects", "/projects/list", "/projects/1", "/projects/{p}", "/projects/{p}/{wd}",
          "/projects/{p}/{wd}/1", "/projects/{p}/{wd}/{w}", "/projects/{p}/{wd}/{w}/release",
          "/projects/{p}/{wd}/{w}/versions", "/projects/{p}/{wd}/query-by-name",
          "/projects/{p}/schedules", "/projects/{p}/schedules/1", "/projects/{p}/schedules/list",
          "/projects/{p}/schedules/preview", "/projects/{p}/task-definition/gen-task-codes",
          "/projects/{p}/{wd}/batch-delete", "/access-tokens", "/login"]
_KEYS = ["projectName", "name", "code", "pageNo", "pageSize", "searchVal", "releaseState",
         "taskDefinitionJson", "taskRelationJson", "locations", "globalParams", "schedule",
         "workflowDefinitionCode", "processDefinitionCode", "genNum", "timeout", "tenantCode",
         "executionType", "description", "userName", "userPassword", "expireTime", "token",
         "failureStrategy", "warningType", "codes", "version", "environmentCode", "userId"]
_JSONISH = st.sampled_from(["[]", "{}", "[{}]", '[{"code":1}]', "null", "1", "-1", "x", "",
                            '{"crontab":"0 0 * * * ? *"}', '[{"name":"t","code":"a"}]',
                            '[{"preTaskCode":0,"postTaskCode":"x"}]', "9" * 30, "ONLINE",
                            "%", "\x00", "é", "1e999", "[[[[[[[[[[", '{"a":' * 50])
_VALUES = _JSONISH | st.text(max_size=40) | st.integers().map(str)


@pytest.fixture(scope="module")
def seeded(sb: Sandbox) -> dict[str, str]:
    created = _call(sb, "POST", "/projects", data={"projectName": "fuzz"}).json()["data"]
    return {"p": str(created["code"]), "wd": "process-definition" if sb.api_version == "3.1"
            else "workflow-definition", "w": "1"}


@given(method=st.sampled_from(["GET", "POST", "PUT", "DELETE"]),
       path=st.sampled_from(_PATHS),
       form=st.lists(st.tuples(st.sampled_from(_KEYS) | st.text(max_size=5), _VALUES),
                     max_size=8),
       in_query=st.booleans())
def test_random_requests_get_envelopes_and_never_a_sandbox_error(sb, seeded, method, path, form,
                                                                 in_query):
    url = path.format(**seeded)
    kwargs: dict[str, Any] = {"params": form} if in_query else {"data": form}
    answer = _call(sb, method, url, **kwargs)
    assert answer.status_code in (200, 201, 404, 405), answer.text
    if answer.status_code in (200, 201):
        body = answer.json()
        assert isinstance(body["code"], int)
        assert set(body) >= {"code", "msg", "data"}
    assert sb.internal_errors == []
