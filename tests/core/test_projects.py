"""Project-name templates: the config form, branch names made safe, the preview mark."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deployer.core.config import parse_config
from deployer.core.errors import ConfigError
from deployer.core.preview import mark_for, parse_age, parse_mark
from deployer.core.projects import MAX_PROJECT_NAME, render, safe_branch
from deployer.core.units import project_of, units

TARGET = "    url: http://ds:12345\n    token_env: DS_TOKEN\n"


def config(text: str) -> object:
    return parse_config(text, Path("/repo/dagship.yaml"))


def test_projects_map_folders_and_targets_render_each_project() -> None:
    cfg = parse_config("projects:\n  finance: workflows/finance/\n  ingest: [a/, b/]\n"
                       f"targets:\n  staging:\n{TARGET}    project: \"{{project}}-staging\"\n",
                       Path("/repo/dagship.yaml"))
    assert cfg.workflows == ("workflows/finance/", "a/", "b/")
    found = units(cfg, cfg.targets["staging"], None)
    assert [(u.key, u.target.project, u.config.workflows) for u in found] == [
        ("finance", "finance-staging", ("workflows/finance/",)),
        ("ingest", "ingest-staging", ("a/", "b/"))]
    assert found[0].target.aliases == {"finance": "finance-staging", "ingest": "ingest-staging"}
    assert project_of(cfg, Path("/repo/b/x/wf.yaml")) == "ingest"
    assert project_of(cfg, Path("/repo/other/wf.yaml")) is None


def test_a_one_project_config_is_one_unit_unchanged() -> None:
    cfg = parse_config(f"targets:\n  staging:\n{TARGET}    project: dataops\n",
                       Path("/repo/dagship.yaml"))
    (unit,) = units(cfg, cfg.targets["staging"], None)
    assert unit.config is cfg
    assert unit.key is None


@pytest.mark.parametrize(("text", "expected"), [
    ("projects:\n  a: x/\ntargets:\n  s:\n" + TARGET + "    project: fixed\n",
     "dagship.yaml:7:14: targets.s.project: with `projects:` the name must contain {project}"),
    ("targets:\n  s:\n" + TARGET + "    project: \"{project}-s\"\n",
     "targets.s.project: {project} needs a top-level `projects:`"),
    ("targets:\n  s:\n" + TARGET + "    project: \"x-{user}\"\n",
     "targets.s.project: unknown placeholder {user}"),
    ("targets:\n  production:\n" + TARGET + "    project: \"x-{branch}\"\n",
     "targets.production.project: a production target cannot be a preview"),
    ("targets:\n  s:\n" + TARGET + "    project: \"" + "x" * 60 + "{branch}\"\n",
     "too long for a preview"),
    ("projects:\n  a b: x/\n", "projects.a b: expected a project key"),
    ("projects:\n  a: []\n", "projects.a: expected the project's workflow folder"),
])
def test_bad_templates_name_file_line_and_key(text: str, expected: str) -> None:
    with pytest.raises(ConfigError) as exc:
        config(text)
    assert expected in str(exc.value)


def test_safe_branches_stay_and_others_are_folded_with_a_hash() -> None:
    assert safe_branch("fix-42", 40) == "fix-42"
    folded = safe_branch("feature/Login_Page", 40)
    assert folded.startswith("feature-login-page--")
    assert len(folded) == 20 + 8
    assert safe_branch("feature/login-page", 40) != safe_branch("feature/login_page", 40)
    assert len(render("dataops-{branch}", "", "feature/" + "x" * 200)) == MAX_PROJECT_NAME


@given(st.lists(st.text(min_size=1, max_size=80), min_size=2, max_size=2, unique=True),
       st.integers(min_value=18, max_value=60))
def test_two_branches_never_map_to_one_name(branches: list[str], room: int) -> None:
    a, b = (safe_branch(x, room) for x in branches)
    assert a != b
    assert len(a) <= room
    assert len(b) <= room
    assert all((ch.isalnum() and ch.isascii()) or ch == "-" for ch in a + b)


def test_the_preview_mark_reads_back_and_ages_parse() -> None:
    mark = mark_for("preview", "feature/x", datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC))
    text = f"made for review {mark.text()}"
    assert len(text) <= 255
    assert parse_mark(text) == mark
    assert mark.created_at() == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert parse_mark("made by hand") is None
    long = mark_for("a-rather-long-preview-target-name", "feature/" + "x" * 300)
    assert len(long.text()) == 255
    assert parse_mark(long.text()) == long
    assert [parse_age(t) for t in ("7d", "12h", "2w", "30m", "7 days")] == [
        604800, 43200, 1209600, 1800, None]
