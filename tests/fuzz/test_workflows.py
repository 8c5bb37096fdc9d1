"""Property: whatever a workflow file holds, lint answers with findings (file, line, column,
a registered code) or success; never an exception, never a hang."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deployer.core.config import Config
from deployer.definitions.codes import CODES
from deployer.definitions.repo import LoadResult, load_repository
from tests.fuzz.helpers import (
    dump_json,
    dump_yaml,
    fragment_soup,
    near_valid_export,
    near_valid_workflow,
)


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzzrepo").resolve()


def _lint(repo: Path, files: dict[str, bytes]) -> LoadResult:
    shutil.rmtree(repo)
    repo.mkdir()
    (repo / "x.sql").write_text("select 1", encoding="utf-8")
    for name, raw in files.items():
        (repo / name).write_bytes(raw)
    result = load_repository(Config(root=repo, path=None, workflows=(".",)))
    _check(result, files)
    return result


def _check(result: LoadResult, files: dict[str, bytes]) -> None:
    for f in result.findings:
        assert f.path in files or f.path == "x.sql", f
        assert f.code in CODES, f
        assert f.line >= 1, f
        assert f.col >= 1, f
        assert f.message, f
        assert "Traceback" not in f.message, f
    # a file with an error finding yields no workflow to deploy
    failed = {f.path for f in result.findings if f.severity == "error"}
    assert not [w for w in result.workflows if w.path.name in failed]


def _variants(text: str) -> st.SearchStrategy[bytes]:
    """The same text as editors and platforms may save it."""
    return st.sampled_from([
        text.encode("utf-8"),
        b"\xef\xbb\xbf" + text.encode("utf-8"),  # UTF-8 BOM
        text.replace("\n", "\r\n").encode("utf-8"),  # CRLF
        text.replace("  ", "\t").encode("utf-8"),  # tabs for indentation
        text.encode("utf-16"),  # a BOM'd UTF-16 file
        text.encode("latin-1", "replace"),  # legacy encoding
    ])


@given(st.binary(max_size=2000), st.sampled_from(["w.yaml", "w.json"]))
def test_arbitrary_bytes(repo: Path, raw: bytes, name: str) -> None:
    _lint(repo, {name: raw})


@given(fragment_soup.flatmap(_variants))
def test_yaml_fragment_soup(repo: Path, raw: bytes) -> None:
    _lint(repo, {"w.yaml": raw})


@given(near_valid_workflow().map(dump_yaml).flatmap(_variants))
def test_near_valid_workflows(repo: Path, raw: bytes) -> None:
    _lint(repo, {"w.yaml": raw})


@given(near_valid_workflow(), near_valid_workflow())
def test_two_workflows_referring_to_each_other(repo: Path, a: dict, b: dict) -> None:
    # cross-file checks: names, sub-workflows, $WORKFLOW targets, include cycles
    _lint(repo, {"w.yaml": dump_yaml(a).encode(), "self.yaml": dump_yaml(b).encode()})


@given(near_valid_export().map(dump_json))
def test_near_valid_native_exports(repo: Path, text: str) -> None:
    _lint(repo, {"w.json": text.encode("utf-8")})


@given(st.integers(min_value=1, max_value=3000), st.sampled_from(["[", "{", "- ", "a:\n  "]))
def test_deep_nesting(repo: Path, depth: int, opener: str) -> None:
    if opener == "a:\n  ":
        text = "".join(f"{'  ' * i}k{i}:\n" for i in range(depth)) + "  " * depth + "v\n"
    elif opener == "- ":
        text = "".join(f"{'  ' * i}-\n" for i in range(depth)) + "  " * depth + "x\n"
    else:
        text = opener * depth
    _lint(repo, {"w.yaml": text.encode(), "w.json": text.encode()})


@given(st.integers(min_value=0, max_value=3_000_000), st.sampled_from(["name", "command", "k"]))
def test_huge_scalars(repo: Path, size: int, key: str) -> None:
    text = (f"workflow:\n  name: w\ntasks:\n  - name: t\n    task_type: Shell\n"
            f"    {key}: {'x' * size}\n")
    _lint(repo, {"w.yaml": text.encode()})
