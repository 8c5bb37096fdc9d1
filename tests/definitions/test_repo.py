"""The workflow loader on real files: one file per finding code, valid files, the corpus."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from deployer.core.config import Config, Target
from deployer.definitions.codes import CODES
from deployer.definitions.model import (
    DatasourceRef,
    ForeignTaskRef,
    ProjectRef,
    Property,
    TaskRef,
    WorkflowRef,
)
from deployer.definitions.repo import discover, load_repository
from tests.helpers.shared_data import missing_shared

DATA = Path(__file__).parents[1] / "data" / "workflows"
CODES_DIR = DATA / "codes"
VALID_DIR = DATA / "valid"
CORPUS = Path(__file__).parents[2] / ".." / "shared" / "corpus"
# JSON cannot carry a comment: its expectations live here
JSON_EXPECT = {"wf109_export.json": ["WF109:1"], "wf110_numeric.json": ["WF110:7", "WF101:9"]}
_EXPECT = re.compile(r"^# expect:(.*)$", re.MULTILINE)

STAGING = Target("staging", "http://ds", "T", "dataops-staging", variables={"warehouse": "pg",
                                                                            "datasource": "pg_s"})
# production pins 3.1, which has no FILE parameters (WF111)
PROD = Target("production", "http://ds", "T", "dataops", variables={"datasource": "pg_p"},
              api_version="3.1")


def _config(root: Path, **kw) -> Config:
    return Config(root=root.resolve(), path=None, workflows=(".",), resources=("resources/",),
                  targets={"staging": STAGING, "production": PROD}, **kw)


def _expected(path: Path) -> list[str]:
    if path.suffix == ".json":
        return JSON_EXPECT[path.name]
    m = _EXPECT.search(path.read_bytes().decode("utf-8", "replace"))
    assert m, f"{path.name} lacks an `# expect:` line"
    return m.group(1).split()


@pytest.fixture(scope="module")
def code_result():
    return load_repository(_config(CODES_DIR))


CODE_FILES = sorted(p for p in CODES_DIR.iterdir() if p.suffix in (".yaml", ".json"))


@pytest.mark.parametrize("path", CODE_FILES, ids=lambda p: p.name)
def test_each_file_yields_exactly_its_expected_codes(code_result, path):
    got = sorted(f"{f.code}:{f.line}" for f in code_result.findings if f.path == path.name)
    assert got == sorted(_expected(path))


def test_every_registered_code_has_a_test_file():
    covered = {e.split(":")[0] for p in CODE_FILES for e in _expected(p)}
    assert set(CODES) - covered == set()


def test_every_code_is_documented_in_rules_md():
    rules = (Path(__file__).parents[2] / "docs" / "rules.md").read_text(encoding="utf-8")
    for code, (severity, _title) in CODES.items():
        assert re.search(rf"^\| {code} \| {severity} \|", rules, re.MULTILINE), code


def test_findings_carry_registry_severity_and_files_with_errors_give_no_model(code_result):
    for f in code_result.findings:
        assert f.severity == CODES[f.code][0]
    names = {w.name for w in code_result.workflows}
    assert "wf102" not in names
    assert "wf305" in names


def test_messages_name_the_accepted_form(code_result):
    by_code = {f.code: f.message for f in code_result.findings}
    assert "did you mean `command`?" in by_code["WF102"]
    assert "did you mean `HIGH`?" in by_code["WF104"]
    assert "did you mean `Shell`?" in by_code["WF106"]
    assert "a -> b -> a" in by_code["WF203"]
    assert "reserves 48" in by_code["WF701"]
    assert "YYYY-MM-DD" in by_code["WF303"]


def test_lint_disable_switches_codes_off():
    result = load_repository(_config(CODES_DIR, lint_disable=("WF305", "WF102")))
    assert not {f.code for f in result.findings} & {"WF305", "WF102"}


def test_only_narrows_reported_findings_but_cross_file_checks_see_everything():
    only = [CODES_DIR / "wf406_name_b.yaml"]
    result = load_repository(_config(CODES_DIR), only=only)
    assert [(f.path, f.code) for f in result.findings] == [("wf406_name_b.yaml", "WF406")]


def test_discover_skips_nothing_but_non_workflow_extensions(tmp_path):
    (tmp_path / "workflows" / "sub").mkdir(parents=True)
    for name in ("a.yaml", "sub/b.yml", "c.json", "d.sql", "e.txt"):
        (tmp_path / "workflows" / name).write_text("{}", encoding="utf-8")
    cfg = Config(root=tmp_path, path=None)
    assert [p.name for p in discover(cfg)] == ["a.yaml", "c.json", "b.yml"]


# --- valid files and the model -------------------------------------------------------


def _valid(target=None, env=None):
    return load_repository(_config(VALID_DIR), target=target, env=env)


def test_valid_files_lint_clean_in_lint_mode():
    result = _valid()
    assert [f for f in result.findings if f.severity == "error"] == []
    assert {w.name for w in result.workflows} == {"日次ETL_ümlaut", "child_workflow"}


def test_model_in_deploy_mode_resolves_substitutions_and_refs():
    result = _valid(target=STAGING, env={})
    assert result.findings == []
    wf = next(w for w in result.workflows if w.name == "日次ETL_ümlaut")
    assert wf.release_state == "OFFLINE"
    assert wf.depends_on_workflows == ("child_workflow",)
    assert wf.global_params == (Property("dt", "${system.biz.date}"),)
    assert wf.schedule is not None
    assert (wf.schedule.start_time, wf.schedule.end_time) == ("2024-01-01 02:00:00",
                                                              "2099-12-31 23:59:59")
    assert wf.schedule.timezone == "Europe/Berlin"
    assert wf.schedule.online
    extract = wf.task("抽取")
    assert extract.task_type == "SHELL"
    assert extract.worker_group == "etl"
    assert extract.params["rawScript"] == 'echo "抽取 $[yyyyMMdd-1] ${dt}"'
    assert extract.timeout == 30
    assert extract.params["localParams"] == [Property("n", "5", "IN", "INTEGER")]
    load = wf.task("load")
    assert load.params["datasource"] == DatasourceRef("pg_s", "POSTGRESQL")
    assert load.params["sqlType"] == "1"
    assert load.deps == ("抽取",)
    assert wf.task("child").params["workflowDefinitionCode"] == WorkflowRef("child_workflow")
    item = wf.task("wait_child").params["dependence"]["dependTaskList"][0]["dependItemList"][0]
    assert item == {"projectCode": ProjectRef(None),
                    "definitionCode": WorkflowRef("child_workflow"),
                    "depTaskCode": ForeignTaskRef("child_workflow", "c1"),
                    "cycle": "month", "dateValue": "lastMonthBegin"}


def test_deploy_mode_reports_unset_env_and_missing_var(tmp_path):
    (tmp_path / "w.yaml").write_text(
        "workflow: {name: w}\ntasks:\n  - name: a\n    task_type: Shell\n"
        "    command: echo $ENV{DAGSHIP_UNSET_X} $VAR{warehouse}\n", encoding="utf-8")
    result = load_repository(_config(tmp_path), target=PROD, env={})
    got = [(f.code, f.line, f.col) for f in result.findings]
    assert got == [("WF402", 5, 14), ("WF403", 5, 14)]
    assert result.workflows == []


# --- the compatibility corpus ----------------------------------------------------------

PYDS = CORPUS / "pydolphinscheduler-yaml"
CORPUS_EXPECT = {
    "Http.yaml": ["WF504"],
    "Kubernetes.yaml": ["WF102", "WF102", "WF106"],
    "Dependent.yaml": ["WF102", "WF102"],
}


def _require_pyds() -> None:
    """The corpus lives beside this repository (../shared), not in it: a fresh clone
    elsewhere skips these tests, CI (which has it) runs them."""
    if not PYDS.is_dir():
        missing_shared(f"shared corpus not present: {PYDS} is missing "
                       "(../shared is not beside this clone)")


@pytest.fixture(scope="module")
def corpus_result():
    _require_pyds()
    return load_repository(Config(root=PYDS.resolve(), path=None, workflows=(".",)))


def test_corpus_files_get_their_expected_verdicts(corpus_result):
    errors: dict[str, list[str]] = {}
    for f in corpus_result.findings:
        if f.severity == "error":  # payloads included with $FILE too (example_datax.json)
            errors.setdefault(f.path, []).append(f.code)
    errors = {k: sorted(v) for k, v in errors.items()}
    assert errors == CORPUS_EXPECT


def test_corpus_messages_explain_the_reasons(corpus_result):
    msgs = {(f.path, f.code): f.message for f in corpus_result.findings}
    assert "did you mean `Kubernetes`?" in msgs[("Kubernetes.yaml", "WF106")]
    k8s = [f.message for f in corpus_result.findings if f.path == "Kubernetes.yaml"]
    assert any("did you mean `min_cpu_cores`?" in m for m in k8s)
    assert any("did you mean `min_memory_space`?" in m for m in k8s)
    assert "`denpendence`" in msgs[("Dependent.yaml", "WF102")]


def test_corpus_payloads_are_not_workflows_and_valid_files_build_models(corpus_result):
    names = {w.name for w in corpus_result.workflows}
    assert {"tutorial", "Switch", "Condition", "SubWorkflow", "MLflow", "DVC",
            "example_workflow_for_sub_workflow", "task_dependent_external"} <= names
    files = {p.name for p in corpus_result.files}
    assert "example_sagemaker_params.json" not in files
    assert "example_datax.json" not in files


def test_corpus_env_and_config_resolve_in_deploy_mode():
    _require_pyds()
    cfg = Config(root=PYDS.resolve(), path=None, workflows=(".",), targets={"s": STAGING})
    result = load_repository(cfg, target=STAGING, env={"HOME": "/home/ds"})
    more = next(w for w in result.workflows if w.name == "MoreConfiguration")
    assert more.tasks[0].params["rawScript"].startswith('echo "/home/ds"\n')
    sql = next(w for w in result.workflows if w.name == "Sql")
    assert sql.task("task_file").params["sql"] == (PYDS / "example_sql.sql").read_text()
    cond = next(w for w in result.workflows if w.name == "Condition")
    assert cond.task("success_branch").deps == ("condition",)
    assert cond.task("condition").params["conditionResult"]["failedNode"] == [
        TaskRef("fail_branch")]
    switch = next(w for w in result.workflows if w.name == "Switch")
    assert switch.task("switch").params["switchResult"]["nextNode"] == TaskRef("switch_child_2")
    sub = next(w for w in result.workflows if w.name == "SubWorkflow")
    assert sub.depends_on_workflows == ("example_workflow_for_sub_workflow",)


@pytest.mark.parametrize("name", ["export-3.2.2-shell.json", "export-dev-shell.json"])
def test_native_exports_load_into_the_model(tmp_path, name):
    src = CORPUS / "ds-export" / name
    if not src.is_file():
        missing_shared(f"shared corpus not present: {CORPUS} (../shared is not beside this clone)")
    (tmp_path / name).write_bytes(src.read_bytes())
    result = load_repository(Config(root=tmp_path, path=None, workflows=(".",)))
    assert [f for f in result.findings if f.severity == "error"] == []
    (wf,) = result.workflows
    assert wf.source_format == "native"
    assert wf.name == "test"
    assert wf.tasks[0].task_type == "SHELL"
    assert wf.tasks[0].params["rawScript"] == 'echo "hello world"'


def test_resource_token_becomes_the_workers_path_per_target(tmp_path):
    """`$RESOURCE{"p"}` is where the worker puts the resource file: the target's
    resource_dir (no leading `/`), then p, below the task's folder; a command ending in it
    is no WF501 (the name is dagship's, not a file pydolphinscheduler would read)."""
    (tmp_path / "resources" / "etl").mkdir(parents=True)
    (tmp_path / "resources" / "etl" / "load.sh").write_text("echo hi\n", encoding="utf-8")
    (tmp_path / "w.yaml").write_text(
        "workflow: {name: w}\ntasks:\n  - name: a\n    task_type: Shell\n"
        '    command: bash $RESOURCE{"resources/etl/load.sh"}\n'
        "    resource_list: [resources/etl/load.sh]\n", encoding="utf-8")
    config = _config(tmp_path)
    assert load_repository(config).findings == []
    own = Target("own", "http://ds", "T", "p", resource_dir="/team/etl")
    for target, want in ((STAGING, "dagship/dataops-staging"), (own, "team/etl")):
        result = load_repository(config, target=target, env={})
        assert result.findings == []
        script = result.workflows[0].task("a").params["rawScript"]
        assert script == f"bash {want}/resources/etl/load.sh"
