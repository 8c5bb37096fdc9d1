"""The CLI boundary: exit codes, error text, no tracebacks."""

from __future__ import annotations

from pathlib import Path

import pytest

import hooks.lint
from deployer.cli.main import SUMMARIES, cli, main
from deployer.core.errors import EXIT_INTERNAL, EXIT_USAGE


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert "dagship, version" in capsys.readouterr().out


def test_unknown_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["frobnicate"]) == EXIT_USAGE
    assert "No such command" in capsys.readouterr().err


def test_missing_config_is_a_config_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["lint", "--config", str(tmp_path / "nope.yaml")]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert err.strip() == f"dagship: error: {tmp_path / 'nope.yaml'}: config file not found"


def test_commit_msg_needs_file_or_range(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["commit-msg"]) == EXIT_USAGE
    assert "give either a message FILE or --range A..B" in capsys.readouterr().err


def test_bug_is_reported_without_traceback_and_secret_masked(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from deployer.core.redact import register_secret

    register_secret("s3cr3t-token-value")

    def explode(*args: object, **kwargs: object) -> int:
        raise RuntimeError("boom with s3cr3t-token-value inside")

    monkeypatch.setattr(hooks.lint, "run_lint", explode)
    monkeypatch.chdir(tmp_path)
    assert main(["lint"]) == EXIT_INTERNAL
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "s3cr3t-token-value" not in err
    assert "dagship: internal error: RuntimeError: boom with *** inside" in err




@pytest.mark.parametrize("columns", ["80", "60"])
def test_help_lists_every_command_with_a_whole_description(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        columns: str) -> None:
    monkeypatch.setenv("COLUMNS", columns)
    assert main(["--help"]) == 0
    listing = capsys.readouterr().out.split("Commands:\n", 1)[1]
    rows = [line for line in listing.splitlines() if line.strip()]
    assert len([r for r in rows if not r.startswith("    ")]) == len(cli.commands)
    assert len(cli.commands) == len(SUMMARIES)
    assert all("..." not in row for row in rows), listing
