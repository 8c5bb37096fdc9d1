"""The replay's own parts: comparison rules, value carrying, allowances, and a recording with
an endpoint the sandbox does not have (a difference of its kind, not a crash)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from deployer.sandbox.replay import RecordingError, judge, load, load_allowances, replay
from deployer.sandbox.replay.compare import Answer, compare
from deployer.sandbox.replay.values import ValueMap

EP = "GET /projects/{n}"


def env(data: object, code: int = 0, msg: str = "success") -> dict[str, object]:
    return {"code": code, "msg": msg, "data": data, "failed": code != 0, "success": code == 0}


def kinds(rec: object, sb: object, values: ValueMap | None = None, status: int = 200,
          sent: frozenset[str] = frozenset()) -> list[tuple[str, str, str]]:
    found = compare(EP, Answer(status, "application/json", rec),
                    Answer(200, "application/json", sb), values or ValueMap(), sent)
    return [(d.kind, d.where, d.detail) for d in found]


def test_status_envelope_and_types_are_compared() -> None:
    assert kinds(env(None), env(None), status=201) == [("status", "", "201 vs 200")]
    assert ("envelope.code", "", "10018 vs 0") in kinds(env(None, 10018), env(None))
    assert kinds(env({"a": None}), env({"a": 0})) == [("data.type", "data.a", "null vs number")]
    assert kinds(env({"a": 1, "b": 2}), env({"a": 1, "c": 2})) == [
        ("data.keys-missing", "data", "b"), ("data.keys-extra", "data", "c")]
    assert kinds(env({"v": 2}), env({"v": 3})) == [("data.value", "data.v", "value differs")]


def test_messages_compare_with_numbers_as_placeholders() -> None:
    assert kinds(env(None, 50004, "workflow 191,239,575 is off"),
                 env(None, 50004, "workflow 191239575 is off")) == []
    assert kinds(env(None, 50004, "a"), env(None, 50004, "b")) == [
        ("envelope.msg", "", "code 50004")]


def test_generated_values_are_carried_forward_and_checked() -> None:
    values = ValueMap()
    assert kinds(env({"code": 191239588446208, "id": 4}),
                 env({"code": 191218147664096, "id": 1}), values) == []
    assert values.code(191239588446208) == 191218147664096
    assert values.path("/p/191239588446208/x") == "/p/191218147664096/x"
    assert values.text('[{"taskCode":191239588446208}]') == '[{"taskCode":191218147664096}]'
    # the same recorded code must come back as the same sandbox code
    assert kinds(env({"code": 191239588446208}), env({"code": 191218147660000}), values) == [
        ("data.value", "data.code", "value differs")]


def test_server_stamps_are_compared_by_form_but_sent_times_by_value() -> None:
    rec = env({"createTime": "2026-12-02 05:06:47", "startTime": "2024-01-01 00:00:00"})
    sb = env({"createTime": "2030-01-01 00:00:00", "startTime": "2024-01-01 00:00:01"})
    assert kinds(rec, sb, sent=frozenset({"2024-01-01 00:00:00"})) == [
        ("data.value", "data.startTime", "value differs")]


def test_rows_are_paired_by_name_so_order_is_one_difference() -> None:
    rec = env([{"name": "b", "v": 1}, {"name": "a", "v": 1}])
    sb = env([{"name": "a", "v": 1}, {"name": "b", "v": 2}])
    assert kinds(rec, sb) == [("data.order", "data[]", "same items, other order"),
                              ("data.value", "data[].v", "value differs")]
    assert kinds(env([1, 2]), env([2, 1])) == [("data.order", "data[]",
                                                "same items, other order")]
    assert kinds(env([]), env([1])) == [("data.list-emptiness", "data[]", "empty vs non-empty")]


def test_a_missing_endpoint_is_a_difference_of_its_kind() -> None:
    found = compare("GET /resources", Answer(200, "application/json", env([])),
                    Answer(404, "text/html", "<html>"), ValueMap(), frozenset())
    assert [(d.kind, d.detail) for d in found] == [
        ("status", "200 vs 404"), ("content-type", "application/json vs text/html"),
        ("endpoint.unknown", "envelope vs HTTP 404 str")]


def _write(folder: Path, lines: list[dict[str, object]], meta: dict[str, str]) -> None:
    folder.mkdir(parents=True)
    (folder / "_meta.json").write_text(json.dumps(meta))
    (folder / "test_x.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines))


def _line(seq: int, method: str, path: str, status: int, response: object) -> dict[str, object]:
    return {"seq": seq, "test": "tests/x.py::t[real]", "phase": "call", "n": seq,
            "method": method, "path": "/dolphinscheduler" + path, "query": {},
            "content_type": None, "form": None, "status": status,
            "response_content_type": "application/json", "response": response, "auth": "token"}


def test_replay_judges_against_the_allowance_file(tmp_path: Path) -> None:
    folder = tmp_path / "9.9-test"
    _write(folder, [_line(1, "GET", "/projects/list", 200, env([])),
                    _line(2, "GET", "/k8s-namespace/available-list", 200, env([])),
                    _line(3, "GET", "/worker-groups/all", 200, env(["default", "gpu"]))],
           {"dialect": "3.2"})
    recording = load(folder)
    verdict = judge(replay(recording), load_allowances(tmp_path / "none.yaml"))
    assert not verdict.ok
    assert {s[0] for s in verdict.unexplained} >= {"endpoint.unknown", "data.length"}
    allow = tmp_path / "9.9-test.yaml"
    allow.write_text(
        "allowed:\n"
        "  - {kind: endpoint.unknown, endpoint: 'GET /k8s-namespace/*', reason: not modelled yet}\n"
        "  - {kind: status, endpoint: 'GET /k8s-namespace/*', reason: not modelled yet}\n"
        "  - {kind: content-type, endpoint: 'GET /k8s-namespace/*', reason: not modelled yet}\n"
        "  - {kind: data.length, endpoint: GET /worker-groups/all, reason: one more group}\n"
        "  - {kind: data.order, endpoint: GET /nothing, reason: never happens}\n"
        "fixed:\n"
        "  - {kind: data.value, endpoint: GET /projects/list, note: must stay equal}\n")
    verdict = judge(replay(recording), load_allowances(allow))
    assert [a.endpoint for a in verdict.stale] == ["GET /nothing"]
    assert not verdict.unexplained
    assert "STALE allowance" in "\n".join(verdict.lines())


def test_bad_input_names_the_file_and_line(tmp_path: Path) -> None:
    folder = tmp_path / "3.2.9"
    folder.mkdir()
    (folder / "test_x.jsonl").write_text('{"seq": 1}\nnot json\n')
    with pytest.raises(RecordingError, match=r"test_x.jsonl:1: missing or malformed field"):
        load(folder)
    (folder / "test_x.jsonl").write_text("not json\n")
    with pytest.raises(RecordingError, match=r"test_x.jsonl:1: not JSON"):
        load(folder)
    with pytest.raises(RecordingError, match="cannot tell the API dialect"):
        load(tmp_path / "x")  # no version in the name, no _meta.json
    bad = tmp_path / "a.yaml"
    bad.write_text("allowed:\n  - {kind: status, endpoint: '*'}\n")
    with pytest.raises(RecordingError, match=r"a.yaml: allowed\[0\]: `reason` must be"):
        load_allowances(bad)
