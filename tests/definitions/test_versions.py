"""Features a target's DolphinScheduler version lacks are refused before anything is sent:
a parameter of type FILE (DolphinScheduler 3.2+) on a target pinned to 3.1."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from deployer.sandbox import Sandbox
from tests.helpers.deploy_env import PROJECT, TOKEN, Env, wf_yaml

FILE_PARAM = wf_yaml("media", [("render", "echo render", ())]) + \
    "    output_params:\n      video: FILE(out/video.mp4)\n"


@pytest.fixture
def env31(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
          capsys: pytest.CaptureFixture[str]) -> Iterator[Env]:
    with Sandbox(api_version="3.1", token=TOKEN) as sb:
        env = Env(tmp_path / "repo", sb, monkeypatch, capsys)
        env.write_config('    api_version: "3.1"\n')
        yield env


MESSAGE = ("workflows/media.yaml:4:1: WF111 task `render`: parameter `video` has type FILE, "
           "which DolphinScheduler 3.1 does not know (FILE parameters came with 3.2); target "
           "`staging` pins api_version \"3.1\": give the parameter another type, or deploy to "
           "a 3.2+ server")


@pytest.mark.parametrize("command", ["plan", "deploy"])
def test_file_parameter_is_refused_on_a_31_target_and_nothing_is_sent(env31: Env, command):
    env31.write("media", FILE_PARAM)
    served = env31.sb.request_count
    res = env31.run(command, *(["--no-progress"] if command == "deploy" else []))
    assert res.code == 1
    assert MESSAGE in res.err
    assert env31.sb.request_count == served
    assert env31.sb.state.project(PROJECT) is None


def test_lint_refuses_it_for_every_target_that_pins_31(env31: Env):
    env31.write("media", FILE_PARAM)
    res = env31.run("lint", target=None)
    assert res.code == 1
    assert res.out.strip() == MESSAGE


def test_the_same_file_deploys_to_a_32_target(env: Env):
    env.write("media", FILE_PARAM)
    env.deploy()
    task = env.remote("media")["tasks"][0]
    assert [p["type"] for p in task["taskParams"]["localParams"]] == ["FILE"]
