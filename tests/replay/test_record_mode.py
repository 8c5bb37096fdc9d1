"""Record mode end to end: `realds.py record` against a running server (here the sandbox, in
this process, on a free port) writes the recordings' format with the token redacted, and the
replay of what it wrote finds the sandbox equal to itself."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from deployer.sandbox import Sandbox
from deployer.sandbox.replay import judge, load, load_allowances, replay
from tests.helpers.shared_data import REPO

TOKEN = "rec-mode-token-5f0c2a9e7d"
SELECTION = ["tests/sandbox/test_contract.py", "-q", "-p", "no:cacheprovider", "-k",
             "real and (no_token or access_token_create or health or thrown_error)"]


def test_record_then_replay(tmp_path: Path) -> None:
    out = tmp_path / "rec" / "sandbox-self"
    with Sandbox(api_version="3.2", token=TOKEN) as sb:
        done = subprocess.run(
            [sys.executable, str(REPO / "scripts" / "real-ds" / "realds.py"), "record",
             "--url", sb.base_url, "--token", TOKEN, "--dialect", "3.2", "--version", "self",
             "--record", str(out), "--", *SELECTION],
            cwd=REPO, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "recorded" in done.stderr
    meta = json.loads((out / "_meta.json").read_text())
    assert (meta["dialect"], meta["server"], meta["pytest_exit"]) == ("3.2", "self", 0)
    text = (out / "test_contract.jsonl").read_text()
    assert TOKEN not in text  # redacted everywhere, headers never recorded
    assert TOKEN not in (out / "_outcomes.jsonl").read_text()
    lines = [json.loads(line) for line in text.splitlines()]
    assert [line["seq"] for line in lines] == list(range(1, len(lines) + 1))
    assert {line["auth"] for line in lines if isinstance(line["auth"], str)} >= {"none",
                                                                                 "token"}
    assert all(line["test"].endswith("[real]") and line["phase"] == "call" for line in lines)
    first = lines[0]
    assert list(first)[:6] == ["seq", "test", "phase", "n", "method", "path"]
    assert (first["status"], first["response"], first["response_content_type"]) == (401, "",
                                                                                   None)
    outcomes = [json.loads(line) for line in (out / "_outcomes.jsonl").read_text().splitlines()]
    assert outcomes
    assert {o["outcome"] for o in outcomes} == {"passed"}
    recording = load(out)
    assert recording.dialect == "3.2"
    verdict = judge(replay(recording), load_allowances(tmp_path / "none.yaml"))
    assert verdict.ok, "\n".join(verdict.lines())
    assert len(verdict.replay.results) == len(lines)
