"""`status` says what is pending in the plan's words, and plans nothing aloud."""

from __future__ import annotations

import json

from tests.helpers.deploy_env import Env, wf_yaml


def test_status_names_pending_changes_in_the_files_words_and_says_no_planning(env: Env):
    env.write("etl", wf_yaml("etl", schedule="0 0 2 * * ? *"))
    env.deploy()
    env.write("etl", wf_yaml("etl", [("a", "echo a", ()), ("b", "echo B", ("a",))],
                             schedule="0 0 3 * * ? *"))
    res = env.run("status", "--json", "s.json")
    assert res.code == 0
    assert "planning" not in res.err
    assert res.err == ""
    assert "    etl: ~ task b (Shell): command; ~ schedule: schedule" in res.out
    assert "rawScript" not in res.out
    assert "crontab" not in res.out
    row = json.loads((env.root / "s.json").read_text())["workflows"][0]
    assert row["changes"]["tasks"][0]["changes"] == [
        {"field": "command", "old": "echo b", "new": "echo B"}]
