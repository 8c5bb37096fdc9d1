"""Transport: envelope decoding, error mapping, form encoding, logging, and the token's secrecy."""

from __future__ import annotations

import logging

import pytest
from responses import matchers

from deployer.client import DSClient
from deployer.core.errors import ApiError, AuthError, TransportError
from tests.client.helpers import BASE, TOKEN, env

LIST = f"{BASE}/projects/list"


def test_token_header_and_json_fields_are_form_encoded(rsps, client):
    rsps.post(
        f"{BASE}/projects/1/workflow-definition",
        status=201,
        json=env({"code": 77}),
        match=[
            matchers.header_matcher({"token": TOKEN}),
            matchers.urlencoded_params_matcher(
                {
                    "name": "w",
                    "description": "",
                    "timeout": "0",
                    "globalParams": '[{"prop":"dt","value":"é"}]',
                    "locations": "[]",
                    "taskDefinitionJson": '[{"code":1,"taskType":"SHELL"}]',
                    "taskRelationJson": '[{"preTaskCode":0,"postTaskCode":1}]',
                },
                allow_blank=True,
            ),
        ],
    )
    form = {
        "name": "w",
        "description": "",
        "timeout": 0,
        "globalParams": [{"prop": "dt", "value": "é"}],
        "locations": [],
        "taskDefinitionJson": [{"code": 1, "taskType": "SHELL"}],
        "taskRelationJson": [{"preTaskCode": 0, "postTaskCode": 1}],
        "otherParamsJson": None,  # None is left out
    }
    assert client.create_workflow(1, form) == 77  # 201 is as good as 200


def test_401_is_an_auth_error_and_not_retried(rsps, client):
    rsps.get(LIST, status=401, body="")

    with pytest.raises(AuthError, match=r"rejected the token \(HTTP 401\)"):
        client.find_project("p")
    assert client.request_count == 1


def test_non_json_answer_is_a_transport_error_with_status_and_snippet(rsps, client):
    page = "<html>" + "x" * 500 + "</html>"
    rsps.get(LIST, status=200, body=page)

    with pytest.raises(TransportError) as caught:
        client.find_project("p")

    message = caught.value.message
    assert "GET /projects/list" in message
    assert "HTTP 200" in message
    assert repr(page[:200]) in message
    assert "x" * 201 not in message


def test_json_without_envelope_is_a_transport_error(rsps, client):
    rsps.get(LIST, json={"status": "UP"})

    with pytest.raises(TransportError, match="without a JSON envelope"):
        client.find_project("p")


def test_api_error_carries_code_server_message_and_endpoint(rsps, client):
    rsps.post(f"{BASE}/projects", status=201, json=env(code=10019, msg="project p already exists"))

    with pytest.raises(ApiError) as caught:
        client.create_project("p")

    assert caught.value.code == 10019
    assert caught.value.endpoint == "POST /projects"
    assert caught.value.message == "POST /projects: project p already exists (code 10019)"


def test_one_debug_line_per_request_without_headers(rsps, client, caplog):
    rsps.get(LIST, status=503)
    rsps.get(LIST, json=env([]))

    with caplog.at_level(logging.DEBUG, logger="dagship.http"):
        client.find_project("p")

    lines = [r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG]
    assert len(lines) == 2
    assert lines[0].startswith("GET /projects/list -> 503 code=- (")
    assert lines[1].startswith("GET /projects/list -> 200 code=0 (")
    assert lines[1].endswith(" ms)")


def test_the_token_never_leaks(rsps, client, caplog):
    echo = f"access token {TOKEN} is not permitted"
    rsps.get(LIST, json=env(code=30001, msg=echo))
    rsps.get(LIST, status=200, body="y" * 190 + TOKEN)  # the token straddles the 200-char cut
    rsps.get(LIST, status=503, body=TOKEN)
    rsps.get(LIST, json=env(code=10000, msg=echo))

    errors: list[Exception] = []
    with caplog.at_level(logging.DEBUG):
        for _ in range(3):
            with pytest.raises((ApiError, TransportError)) as caught:
                client.find_project("p")
            errors.append(caught.value)
        logging.getLogger("dagship.http").debug("server said %s", echo)

    texts = [str(e) for e in errors] + [repr(e) for e in errors] + [repr(client)]
    texts += [r.getMessage() for r in caplog.records if r.name == "dagship.http"]
    assert all(TOKEN not in text for text in texts)
    assert all(TOKEN[:12] not in text for text in texts)  # not even a truncated piece
    assert "***" in str(errors[0])


def test_empty_token_is_refused():
    with pytest.raises(AuthError, match="no API token"):
        DSClient(BASE, "")


def test_repr_names_url_and_generation_only(client):
    assert repr(client) == f"DSClient({BASE!r}, generation='3.3')"


def test_404_html_hints_at_the_base_url(rsps, client):
    rsps.get(LIST, status=404, body="Not Found")

    with pytest.raises(TransportError, match=r"HTTP 404 .*'Not Found' \(is the target url"):
        client.find_project("p")


def test_token_is_stripped_of_a_trailing_newline(rsps, policy):
    rsps.get(LIST, json=env([]), match=[matchers.header_matcher({"token": TOKEN})])
    DSClient(BASE, TOKEN + "\n", api_version="3.3", policy=policy).find_project("p")


def test_token_with_inner_control_characters_is_refused_without_echo():
    bad = TOKEN[:10] + "\r\n" + TOKEN[10:]
    with pytest.raises(AuthError) as caught:
        DSClient(BASE, bad)
    assert TOKEN[:10] not in caught.value.message
