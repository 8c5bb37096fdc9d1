"""examples/ is the data repository of the README's demo: it must lint clean and really show
every dialect feature it claims to (read here with plain PyYAML, independent of our loader)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
WORKFLOWS = EXAMPLES / "workflows"
FILES = sorted(WORKFLOWS.glob("*.yaml"))


def _load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), path
    return data


def _tasks() -> Iterator[tuple[Path, dict[str, Any]]]:
    for path in FILES:
        for task in _load(path)["tasks"]:
            yield path, task


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


def _types() -> set[str]:
    return {task["task_type"] for _, task in _tasks()}


def _config() -> dict[str, Any]:
    return _load(EXAMPLES / "dagship.yaml")


@pytest.mark.skipif(not (ROOT / "hooks" / "lint.py").exists(), reason="the linter is not built yet")
def test_examples_lint_clean(monkeypatch: pytest.MonkeyPatch,
                             capsys: pytest.CaptureFixture[str]) -> None:
    from deployer.cli.main import main

    monkeypatch.chdir(EXAMPLES)
    for name in ("DS_STAGING_TOKEN", "DS_PROD_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    code = main(["lint", "--config", "dagship.yaml", "--format", "json", "--no-color"])
    out = capsys.readouterr().out
    findings = json.loads(out) if out.strip() else []
    assert findings == [], findings
    assert code == 0


def test_examples_lint_clean_from_repo_root(monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    if not (ROOT / "hooks" / "lint.py").exists():
        pytest.skip("the linter is not built yet")
    from deployer.cli.main import main

    monkeypatch.chdir(ROOT)
    code = main(["lint", "--config", "examples/dagship.yaml", "--no-color"])
    assert code == 0, capsys.readouterr()


def test_a_small_realistic_repository() -> None:
    assert 5 <= len(FILES) <= 7
    names = [_load(path)["workflow"]["name"] for path in FILES]
    assert len(set(names)) == len(names)
    assert {p.stem for p in FILES} == set(names)  # file named after its workflow
    for path in FILES:
        assert 20 <= len(path.read_text(encoding="utf-8").splitlines()) <= 62, path


def test_task_types_cover_the_dialect() -> None:
    assert {"Shell", "Sql", "Python", "SubWorkflow", "Dependent", "Switch", "Condition"} <= _types()


def test_sql_uses_var_datasource_and_file() -> None:
    sql_tasks = [task for _, task in _tasks() if task["task_type"] == "Sql"]
    assert all(task["datasource_name"] == "$VAR{datasource}" for task in sql_tasks)
    files = [(path, task["sql"]) for path, task in _tasks()
             if task["task_type"] == "Sql" and task["sql"].startswith("$FILE{")]
    assert files
    for path, value in files:
        match = re.fullmatch(r'\$FILE\{"([^"]+)"\}', value)
        assert match, value
        assert (path.parent / match.group(1)).is_file()
    assert (WORKFLOWS / "sql" / "daily_sales.sql").is_file()


def test_sub_workflow_and_dependent_reference_files_of_the_repo() -> None:
    sub = [task for _, task in _tasks() if task["task_type"] == "SubWorkflow"]
    assert sub
    assert sub[0]["workflow_name"] == '$WORKFLOW{"load_customers.yaml"}'
    items = [item for _, task in _tasks() if task["task_type"] == "Dependent"
             for group in task["groups"] for item in group["groups"]]
    assert items
    for item in items:
        assert set(item) == {"project_name", "workflow_name", "dependent_task_name",
                             "dependent_date"}
        assert item["project_name"] == "${CONFIG.WORKFLOW_PROJECT}"
        assert item["dependent_date"] == "today"
        target = re.fullmatch(r'\$WORKFLOW\{"([^"]+)"\}', item["workflow_name"])
        assert target
        assert (WORKFLOWS / target.group(1)).is_file()
        upstream = _load(WORKFLOWS / target.group(1))
        assert item["dependent_task_name"] in {t["name"] for t in upstream["tasks"]}


def test_switch_and_condition_reference_earlier_tasks() -> None:
    for path in FILES:
        seen: set[str] = set()
        workflow = _load(path)
        for task in workflow["tasks"]:
            if task["task_type"] == "Switch":
                assert workflow["workflow"].get("param"), "a switch needs a workflow param"
                assert {b["task"] for b in task["condition"]} <= seen
                assert any("condition" not in b for b in task["condition"])  # default branch
            if task["task_type"] == "Condition":
                inputs = {i["task"] for g in task["groups"] for i in g["groups"]}
                assert {task["success_task"], task["failed_task"]} | inputs <= seen
            assert set(task.get("deps", [])) <= seen, (path, task["name"])
            seen.add(task["name"])


def test_schedules_params_and_release_state() -> None:
    workflows = [_load(path)["workflow"] for path in FILES]
    scheduled = [w for w in workflows if "schedule" in w]
    assert len(scheduled) >= 3
    for w in scheduled:
        assert len(w["schedule"].split()) == 7, w["schedule"]
        assert w["timezone"] == "UTC"
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", w["start_time"])
    assert any(w.get("param") for w in workflows)
    assert all(w.get("release_state", "online") in ("online", "offline") for w in workflows)
    assert any(task.get("input_params") for _, task in _tasks())


def test_every_var_is_defined_by_every_target() -> None:
    used = {m for path in FILES for s in _strings(_load(path))
            for m in re.findall(r"\$VAR\{(\w+)\}", s)}
    assert {"datasource", "worker_group", "landing_path"} <= used
    assert any("$VAR{" in task.get("command", "") for _, task in _tasks())
    targets = _config()["targets"]
    assert set(targets) == {"staging", "production"}
    for name, target in targets.items():
        assert used <= set(target["variables"]), name


def test_config_targets_and_no_secrets() -> None:
    config = _config()
    staging, production = config["targets"]["staging"], config["targets"]["production"]
    assert staging["url"] == "http://127.0.0.1:12345/dolphinscheduler"
    assert (staging["token_env"], staging["project"], staging["branches"]) == (
        "DS_STAGING_TOKEN", "retail-staging", ["develop"])
    assert (production["token_env"], production["project"], production["branches"]) == (
        "DS_PROD_TOKEN", "retail", ["main"])
    assert staging["variables"]["datasource"] == "pg_staging"
    assert production["variables"]["datasource"] == "pg_prod"
    assert {"ingest", "transform", "report", "infra"} <= set(config["commit"]["scopes"])
    # the README shows `export DS_STAGING_TOKEN=demo` for the sandbox; the repo's files hold none
    kept = [EXAMPLES / "dagship.yaml", *WORKFLOWS.rglob("*.*")]
    text = "\n".join(p.read_text(encoding="utf-8") for p in kept)
    assert not re.search(r"(?i)(password|secret|token)\s*[:=]\s*\S", text.replace("token_env", ""))
    assert "denpendence" not in text


def test_config_loads_with_dagships_own_loader() -> None:
    from deployer.core.config import load_config

    config = load_config(EXAMPLES / "dagship.yaml")
    assert config.root == EXAMPLES
    assert config.targets["production"].production
    assert not config.targets["staging"].production
