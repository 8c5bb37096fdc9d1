"""Property: the config loader answers a Config or a ConfigError naming file:line:col; the
commit-message linter answers findings with a line and column; never a traceback."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deployer.core.config import CommitRules, Config, load_config
from deployer.core.errors import ConfigError
from hooks.commit_msg import lint_file_bytes
from tests.fuzz.helpers import FRAGMENTS, dump_yaml, fragment_soup, values

_TARGET_KEYS = ["url", "token_env", "project", "branches", "prune", "variables", "api_version",
                "ca_bundle", "production", "timeout", "deadline", "token"]
_GOOD_TARGET = {"url": "https://ds.example.com/dolphinscheduler", "token_env": "DS_TOKEN",
                "project": "p"}


@st.composite
def near_valid_config(draw: st.DrawFn) -> dict:
    doc: dict = {}
    for key in draw(st.lists(st.sampled_from(["workflows", "commit", "branches", "lint",
                                              "targets", "target"]), max_size=5)):
        doc[key] = draw(values)
    if draw(st.booleans()):
        target = dict(_GOOD_TARGET)
        for key in draw(st.lists(st.sampled_from(_TARGET_KEYS), max_size=4)):
            target[key] = draw(values | st.sampled_from(FRAGMENTS))
        doc["targets"] = {draw(st.sampled_from(["staging", "prod", "on", "1"])): target}
    if draw(st.booleans()):
        doc["commit"] = {k: draw(values | st.sampled_from(["[", "(?P<", "a{99999999}", "x"]))
                         for k in draw(st.lists(st.sampled_from(
                             ["types", "scopes", "require_scope", "subject_max_length",
                              "body_max_line_length", "ticket_pattern"]), max_size=3))}
    return doc


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzzcfg").resolve()


def _config(folder: Path, raw: bytes) -> Config | None:
    path = folder / "dagship.yaml"
    path.write_bytes(raw)
    try:
        return load_config(path)
    except ConfigError as exc:
        message = exc.message
    where = re.escape(str(path))
    assert re.match(rf"{where}:(\d+:\d+: |\s*cannot read config)", message), message
    assert "Traceback" not in message
    return None


@given(st.binary(max_size=1000))
def test_config_arbitrary_bytes(folder: Path, raw: bytes) -> None:
    _config(folder, raw)


@given(fragment_soup)
def test_config_fragment_soup(folder: Path, text: str) -> None:
    _config(folder, text.encode("utf-8"))


@given(near_valid_config(), st.sampled_from(["", "\ufeff"]), st.sampled_from(["\n", "\r\n"]))
def test_config_near_valid(folder: Path, doc: dict, bom: str, eol: str) -> None:
    config = _config(folder, (bom + dump_yaml(doc).replace("\n", eol)).encode("utf-8"))
    if config is not None:  # a config that loads has usable values
        for target in config.targets.values():
            assert target.url.startswith(("http://", "https://"))
            assert target.timeout == target.timeout  # not NaN


_RULES = [CommitRules(), CommitRules(scopes=("api", "ui"), require_scope=True,
                                     ticket_pattern="[A-Z]+-[0-9]+", subject_max_length=20)]
_MSG_PIECES = ("feat", "fix", "FEAT", "feat!", "(api)", "(", ")", ": ", ":", "!", " ", "\n",
               "\n\n", "\r\n", "\t", "#", "# comment", "BREAKING CHANGE: x", "BREAKING-CHANGE:",
               "Refs: ABC-1", "Co-authored-by: a <a@b>", "Merge branch 'x'", 'Revert "x"',
               "fixup! ", "squash! ", "amend! ", "-" * 24 + " >8 " + "-" * 24, "\ufeff", "\x00",
               "é", "\u2028", "\x85", "x" * 300, "ABC-12")


@given(st.binary(max_size=2000), st.sampled_from(_RULES))
def test_commit_message_arbitrary_bytes(raw: bytes, rules: CommitRules) -> None:
    _commit(raw, rules)


@given(st.lists(st.sampled_from(_MSG_PIECES), max_size=30).map("".join),
       st.sampled_from(["utf-8", "latin-1", "utf-16"]), st.sampled_from(_RULES))
def test_commit_message_soup(text: str, encoding: str, rules: CommitRules) -> None:
    _commit(text.encode(encoding, "replace"), rules)


def _commit(raw: bytes, rules: CommitRules) -> None:
    findings = lint_file_bytes(raw, rules, path="COMMIT_EDITMSG")
    for f in findings:
        assert f.path == "COMMIT_EDITMSG", f
        assert f.code.startswith("CM"), f
        assert f.line >= 1, f
        assert f.col >= 1, f
        assert f.message
