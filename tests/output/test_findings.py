from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from deployer.core.findings import Finding, has_errors
from deployer.output.findings import (
    format_codequality,
    format_github,
    format_json,
    format_junit,
    format_text,
)

F1 = Finding("workflows/a.yaml", 3, 5, "WF203", "error", "task `b` depends on unknown task `c`")
F2 = Finding("workflows/b.yaml", 1, 1, "WF701", "warning", "description: 300 > 207, 100%: x,y")


def test_text_format_is_path_line_col_code_message() -> None:
    assert format_text([F1]) == (
        "workflows/a.yaml:3:5: WF203 task `b` depends on unknown task `c`"
    )
    assert "\x1b[" in format_text([F1], color=True)


def test_json_format_round_trips() -> None:
    assert json.loads(format_json([F1, F2]))[1] == {
        "path": "workflows/b.yaml", "line": 1, "col": 1, "code": "WF701",
        "severity": "warning", "message": "description: 300 > 207, 100%: x,y",
    }


def test_github_annotations_escape_data() -> None:
    out = format_github([F1, F2]).splitlines()
    assert out[0] == ("::error file=workflows/a.yaml,line=3,col=5,title=WF203::"
                      "task `b` depends on unknown task `c`")
    assert out[1].startswith("::warning ")
    assert out[1].endswith("::description: 300 > 207, 100%25: x,y")


def test_junit_has_one_case_per_checked_path() -> None:
    xml = format_junit([F1, F2], suite="dagship lint",
                       checked=["workflows/a.yaml", "workflows/b.yaml", "workflows/c.yaml"])
    root = ET.fromstring(xml.encode())  # noqa: S314 - our own output, not untrusted input
    suite = root.find("testsuite")
    assert suite is not None
    assert suite.get("tests") == "3"
    assert suite.get("failures") == "1"
    failing = [c.get("name") for c in suite.iter("testcase") if c.find("failure") is not None]
    assert failing == ["workflows/a.yaml"]


def test_codequality_shape() -> None:
    items = json.loads(format_codequality([F1, F2]))
    assert items[0]["location"] == {"path": "workflows/a.yaml", "lines": {"begin": 3}}
    assert items[0]["severity"] == "major"
    assert items[1]["severity"] == "minor"
    assert len({i["fingerprint"] for i in items}) == 2


def test_has_errors() -> None:
    assert has_errors([F2, F1])
    assert not has_errors([F2])


def test_render_is_silent_only_for_text_and_github() -> None:
    from deployer.output.findings import render

    assert render([], "text") == ""
    assert render([], "github") == ""
    assert render([], "json") == "[]\n"
    assert render([F1], "text") == format_text([F1]) + "\n"
    assert render([F1], "github").startswith("::error ")
