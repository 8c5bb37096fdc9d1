"""The deploy token never leaves the process on the failure paths either: a server message
that echoes it, a failed workflow in the reports, an internal error with its traceback.
(The success path and a rejected token: tests/commands/test_deploy.py,
test_token_never_in_output_even_verbose.)
"""

from __future__ import annotations

import json
import logging

import pytest
import responses

import deployer.engine.plan
from tests.helpers.deploy_env import Env, wf_yaml


def _texts(env: Env, res, caplog) -> list[str]:  # type: ignore[no-untyped-def]
    texts = [res.out, res.err, caplog.text]
    texts += [(env.root / name).read_text() for name in ("r.json", "r.md")
              if (env.root / name).exists()]
    return texts


@pytest.mark.parametrize("where", ["project", "workflow"])
def test_a_server_message_echoing_the_token_is_masked_everywhere(env: Env, caplog, where) -> None:
    token = env.sb.token
    env.write("one", wf_yaml("one"))
    caplog.set_level(logging.DEBUG, logger="dagship.http")
    echo = {"code": 10105 if where == "workflow" else 30001, "data": None, "success": False,
            "failed": True, "msg": f"access token {token} has no privilege"}
    if where == "workflow":  # the project exists: the create of the workflow is refused
        env.deploy()
        env.write("two", wf_yaml("two"))
    url = env.sb.base_url + ("/projects" if where == "project" else
                             f"/projects/{env.project_code()}/workflow-definition")
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        mock.add_passthru(env.sb.base_url)
        mock.add(responses.POST, url, json=echo)
        res = env.run("deploy", "--no-progress", "--verbose", "--json", "r.json",
                      "--markdown", "r.md")
    assert res.code == 4, res.out + res.err
    texts = _texts(env, res, caplog)
    assert all(token not in text for text in texts)
    assert "access token *** has no privilege" in res.err + res.out
    doc = json.loads((env.root / "r.json").read_text())
    assert "***" in json.dumps(doc)


def test_an_internal_error_and_its_traceback_mask_the_token(env: Env, monkeypatch, caplog):
    token = env.sb.token
    env.write("one", wf_yaml("one"))

    def boom(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError(f"unexpected state for {token}")

    monkeypatch.setattr(deployer.engine.plan, "build_plan", boom)
    monkeypatch.setenv("DAGSHIP_TRACEBACK", "1")
    res = env.run("plan", "--verbose")
    assert res.code == 5
    assert "Traceback" in res.err
    assert "unexpected state for ***" in res.err
    assert all(token not in text for text in _texts(env, res, caplog))
