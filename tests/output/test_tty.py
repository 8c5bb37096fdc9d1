"""The one terminal rule (colour, live progress) and the one report writer."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pytest

from deployer.cli.main import main
from deployer.output.console import write_report
from deployer.output.tty import is_terminal, use_color
from tests.helpers.deploy_env import Env, wf_yaml


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_colour_only_on_a_terminal_unless_told() -> None:
    closed = open(os.devnull, "w")  # noqa: SIM115 - closed at once: isatty() then raises
    closed.close()
    assert (is_terminal(_Terminal()), is_terminal(io.StringIO()), is_terminal(closed),
            is_terminal(None)) == (True, False, False, False)
    assert (use_color(None, _Terminal()), use_color(None, io.StringIO())) == (True, False)
    assert (use_color(True, io.StringIO()), use_color(False, _Terminal())) == (True, False)


def test_color_flag_colours_a_plan_written_to_a_pipe(env: Env) -> None:
    env.write("etl", wf_yaml("etl"))
    coloured = env.run("plan", "--color")
    assert coloured.code == 0, coloured.err
    assert "\x1b[" in coloured.out  # forced: kept, even though stdout is not a terminal
    plain = env.run("plan")
    assert "\x1b[" not in plain.out
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured.out) == plain.out


def test_an_unwritable_report_is_a_usage_error_naming_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "workflows").mkdir()
    missing = tmp_path / "no-such-folder" / "lint.xml"
    assert main(["lint", "--junit", str(missing)]) == 2
    err = capsys.readouterr().err
    assert f"dagship: error: {missing}: cannot write report: No such file or directory" in err
    msg = tmp_path / "MSG"
    msg.write_text("feat: a thing\n", encoding="utf-8")
    assert main(["commit-msg", str(msg), "--junit", str(missing)]) == 2
    assert f"{missing}: cannot write report" in capsys.readouterr().err


def test_a_report_to_dash_goes_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    write_report("-", "report\n")
    assert capsys.readouterr().out == "report\n"
