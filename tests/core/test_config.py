from __future__ import annotations

from pathlib import Path

import pytest

from deployer.core.config import display_path, find_config, load_config, parse_config
from deployer.core.errors import ConfigError

FULL = """\
workflows: [workflows/, more/]
commit:
  types: [feat, fix]
  scopes: [ingest]
  require_scope: true
  subject_max_length: 60
  body_max_line_length: 80
  ticket_pattern: "[A-Z]+-[0-9]+"
branches:
  pattern: '^(main|feature/.+)$'
  protected: [main]
lint:
  disable: [WF501]
targets:
  staging:
    url: https://ds-staging.example.com/dolphinscheduler/
    token_env: DS_STAGING_TOKEN
    project: dataops-staging
    branches: [develop]
    variables: {datasource: pg_staging, retries: 3, flag: true}
  production:
    url: https://ds.example.com/dolphinscheduler
    token_env: DS_PROD_TOKEN
    project: dataops
    branches: [main]
    api_version: "3.2"
"""


def test_full_config_is_read_with_defaults_applied(tmp_path: Path) -> None:
    cfg = parse_config(FULL, tmp_path / "dagship.yaml")
    assert cfg.workflows == ("workflows/", "more/")
    assert cfg.commit.types == ("feat", "fix")
    assert cfg.commit.require_scope is True
    assert cfg.commit.ticket_pattern == "[A-Z]+-[0-9]+"
    assert cfg.branches.protected == ("main",)
    assert cfg.lint_disable == ("WF501",)
    staging = cfg.target("staging")
    assert staging.url == "https://ds-staging.example.com/dolphinscheduler"
    assert staging.variables == {"datasource": "pg_staging", "retries": "3", "flag": "true"}
    assert staging.production is False
    prod = cfg.target("production")
    assert prod.production is True
    assert prod.api_version == "3.2"
    assert prod.prune is False


def test_no_config_means_defaults(tmp_path: Path) -> None:
    cfg = load_config(cwd=tmp_path)
    assert cfg.path is None
    assert cfg.workflows == ("workflows/",)
    assert cfg.commit.subject_max_length == 72
    assert "main" in cfg.branches.protected


def test_config_found_by_walking_up(tmp_path: Path) -> None:
    (tmp_path / "dagship.yaml").write_text("workflows: [flows/]\n", encoding="utf-8")
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    assert find_config(deep) == (tmp_path / "dagship.yaml").resolve()
    cfg = load_config(cwd=deep)
    assert cfg.workflows == ("flows/",)
    assert cfg.root == tmp_path.resolve()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("workflow: [x]\n", "dagship.yaml:1:1: workflow: unknown key (did you mean `workflows`?)"),
        ("commit:\n  subject_max_length: long\n",
         "dagship.yaml:2:23: commit.subject_max_length: expected an integer, "
         "got a string ('long')"),
        ("commit:\n  subject_max_length: 0\n",
         "dagship.yaml:2:23: commit.subject_max_length: expected a positive integer"),
        ("branches:\n  pattern: '(['\n",
         "dagship.yaml:2:12: branches.pattern: not a valid regular expression"),
        ("targets:\n  prod:\n    url: http://x\n    token_env: X\n    token: abc\n    project: p\n",
         "dagship.yaml:5:5: targets.prod.token: a literal token does not belong in the config"),
        ("targets:\n  prod:\n    url: http://x\n    project: p\n",
         "dagship.yaml:3:5: targets.prod: missing required key `token_env`"),
        ("targets:\n  prod:\n    url: ftp://x\n    token_env: X\n    project: p\n",
         "dagship.yaml:3:10: targets.prod.url: expected an http:// or https:// URL"),
        ("targets:\n  prod:\n    url: http://x\n    token_env: X\n    project: p\n"
         "    api_version: 2.0\n",
         "dagship.yaml:6:18: targets.prod.api_version: expected one of 3.1, 3.2, 3.3, 3.4"),
        ("lint:\n  disable: [WF101, 3]\n", "dagship.yaml:2:20: lint.disable[1]: expected a string"),
        ("commit: {types: [feat]}\ncommit: {}\n",
         "dagship.yaml:2:1: commit: duplicate key (first defined on line 1)"),
        ("workflows: [a\n", "dagship.yaml:2:1: invalid YAML"),
    ],
)
def test_bad_config_names_file_line_and_key(text: str, expected: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(text, Path("dagship.yaml"))
    assert str(info.value).startswith(expected), str(info.value)
    assert info.value.exit_code == 2


def test_unknown_target_lists_the_known_ones(tmp_path: Path) -> None:
    cfg = parse_config(FULL, tmp_path / "dagship.yaml")
    with pytest.raises(ConfigError, match=r"unknown target 'prod' \(known: production, staging\)"):
        cfg.target("prod")


def test_explicit_missing_config_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(tmp_path / "nope.yaml")


def test_display_path_is_root_relative_inside_and_as_given_outside(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    assert display_path(root, root / "workflows" / "etl.yaml") == "workflows/etl.yaml"
    assert display_path(root, str(root / "MSG")) == "MSG"  # a hook's message file
    assert display_path(root, "../elsewhere/x.yaml") == "../elsewhere/x.yaml"
    assert display_path(root, tmp_path / "other" / "x.yaml") == str(tmp_path / "other" / "x.yaml")
