"""Every option a command offers reaches its typed options object (none is accepted and
dropped), and options a command cannot use are refused, not ignored."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import click
import pytest

from deployer.cli import adopt, deploy
from deployer.cli import main as cli_main
from deployer.commands.convert import ConvertOptions
from deployer.commands.deploy import DeployOptions, PlanOptions
from deployer.commands.diff import DiffOptions
from deployer.commands.fmt import FmtOptions
from deployer.commands.init import InitOptions
from deployer.commands.pull import PullOptions
from deployer.commands.rollback import RollbackOptions
from deployer.commands.sandbox import SandboxOptions
from deployer.commands.status import StatusOptions

# config_path is read by the click layer itself (it loads dagship.yaml for the command)
COMMANDS = [(deploy.plan_cmd, PlanOptions), (deploy.deploy_cmd, DeployOptions),
            (deploy.status_cmd, StatusOptions), (deploy.rollback_cmd, RollbackOptions),
            (cli_main.diff_cmd, DiffOptions), (adopt.pull_cmd, PullOptions),
            (adopt.convert_cmd, ConvertOptions), (adopt.fmt_cmd, FmtOptions),
            (cli_main.init_cmd, InitOptions), (cli_main.sandbox_cmd, SandboxOptions)]


@pytest.mark.parametrize(("command", "options"), COMMANDS, ids=lambda c: getattr(c, "name", ""))
def test_each_option_offered_is_a_field_of_the_commands_options(
        command: click.Command, options: type) -> None:
    offered = {p.name for p in command.params} - {"config_path"}
    assert offered == {f.name for f in dataclasses.fields(options)}
    registered = cli_main.cli.commands[str(command.name)]
    assert registered is command


def test_convert_reads_no_config_so_offers_no_config_option(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "e.json").write_text("[]", encoding="utf-8")
    assert cli_main.main(["convert", "e.json", "--config", "dagship.yaml"]) == 2
    assert "No such option '--config'" in capsys.readouterr().err


@pytest.mark.parametrize("extra", [["--prune"], ["--parallel", "2"], ["--on-drift", "skip"],
                                   ["--no-progress"]])
def test_a_version_switch_refuses_the_options_only_a_ref_rollback_uses(
        extra: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    args = ["rollback", "--target", "staging", "--workflow", "etl", "--version", "2", *extra]
    assert cli_main.main(args) == 2
    err = capsys.readouterr().err
    flag = {"--no-progress": "--progress/--no-progress"}.get(extra[0], extra[0])
    assert f"Error: {flag}: only a rollback --to REF plans and applies" in err


def test_convert_colours_its_warnings_when_told(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    export = [{"workflowDefinition": {"code": 1, "name": "wf", "projectCode": 1},
               "workflowTaskRelationList": [{"preTaskCode": 0, "postTaskCode": 2}],
               "taskDefinitionList": [{"code": 2, "name": "t", "taskType": "SHELL",
                                       "taskParams": json.dumps({"rawScript": "echo"}),
                                       "environmentCode": 7}]}]
    (tmp_path / "e.json").write_text(json.dumps(export), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert cli_main.main(["convert", "e.json", "--color"]) == 0
    coloured = capsys.readouterr().err
    assert "dagship: \x1b[33mwarning\x1b[0m: wf: task `t`: environment code 7" in coloured
    assert cli_main.main(["convert", "e.json"]) == 0
    assert "dagship: warning: wf: task `t`: environment code 7" in capsys.readouterr().err


def test_fmt_colours_its_errors_when_told(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "workflows").mkdir()
    (tmp_path / "dagship.yaml").write_text("workflows: [workflows/]\n", encoding="utf-8")
    (tmp_path / "workflows" / "bad.yaml").write_text("workflow:\n  name: [x\n",
                                                     encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert cli_main.main(["fmt", "--color"]) == 1
    assert "workflows/bad.yaml:3:1: \x1b[31mcannot format\x1b[0m: " in capsys.readouterr().err
    assert cli_main.main(["fmt", "--no-color"]) == 1
    assert "workflows/bad.yaml:3:1: cannot format: " in capsys.readouterr().err
