"""Each template's commands, taken from the template file and rendered with sample inputs,
run exactly as written against a temporary data repository and the sandbox (an ephemeral
port), so a template cannot drift from the CLI.

What the CI itself does (checkout, setup-python, interpolating `${{ inputs.x }}`, GitLab's
`$[[ inputs.x ]]`, Jenkins' `withEnv`/`withCredentials`) is emulated; every shell line,
install step included, is the template's own. dagship is installed by those install steps
from a local package index holding a wheel of this repository and its dependencies, at
the pinned version.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from deployer import __version__
from deployer.commands.init import init_repository
from deployer.sandbox import Sandbox
from tests.ci_templates.helpers import (
    GITHUB_ACTION,
    GITHUB_WORKFLOW,
    GITLAB_COMPONENT,
    JENKINS_STEP,
    build_package_index,
    gitlab_jobs,
    groovy_sh_scripts,
    load_yaml,
    render_component,
)
from tests.helpers.gitrun import git

pytestmark = pytest.mark.slow
TOKEN = "tmpl-token-0123456789abcdef"
_EXPR = re.compile(r"\$\{\{\s*(inputs|secrets)\.([\w-]+)\s*\}\}")


@pytest.fixture(scope="module")
def package_index(tmp_path_factory: pytest.TempPathFactory) -> str:
    return build_package_index(tmp_path_factory.mktemp("index"))


@dataclass
class DataRepo:
    root: Path
    sandbox: Sandbox
    base: str  # develop (only origin/develop, as in a CI clone)
    head: str  # the feature branch's head, checked out: one commit ahead of develop

    def workflows(self, project: str) -> list[str]:
        proj = self.sandbox.state.project(project)
        if proj is None:
            return []
        return sorted(w["name"] for w in self.sandbox.state.workflows_of(proj["code"]))


@pytest.fixture
def data_repo(tmp_path: Path) -> Iterator[DataRepo]:
    """`dagship init`'s repository, staging pointed at a sandbox, checked out as a CI clone
    of a pull request sees it: feature/x one Conventional commit ahead of origin/develop
    (it adds the workflow `second` and changes a task of `hello_dagship`); no local
    develop. A push build of develop after the merge has the same files."""
    root = tmp_path / "data"
    root.mkdir()
    git("init", "--quiet", cwd=root)
    init_repository(root, ci=None, force=False)
    with Sandbox(token=TOKEN) as sb:
        config = root / "dagship.yaml"
        config.write_text(config.read_text(encoding="utf-8").replace(
            "http://127.0.0.1:12345/dolphinscheduler", sb.base_url, 1), encoding="utf-8")
        git("add", "-A", cwd=root)
        git("commit", "--quiet", "--no-verify", "-m", "chore: set up dagship", cwd=root)
        base = git("rev-parse", "HEAD", cwd=root).stdout.strip()
        git("update-ref", "refs/remotes/origin/develop", base, cwd=root)
        git("checkout", "--quiet", "-b", "feature/x", cwd=root)
        (root / "workflows" / "second.yaml").write_text(
            "workflow:\n  name: second\ntasks:\n  - name: t\n    task_type: Shell\n"
            "    command: echo two\n", encoding="utf-8")
        hello = root / "workflows" / "hello_dagship.yaml"
        hello.write_text(hello.read_text(encoding="utf-8").replace(
            'command: echo "done"', 'command: echo "all done"'), encoding="utf-8")
        git("add", "-A", cwd=root)
        git("commit", "--quiet", "--no-verify", "-m", "feat: add the second workflow", cwd=root)
        head = git("rev-parse", "HEAD", cwd=root).stdout.strip()
        yield DataRepo(root, sb, base, head)


def _python_venv(where: Path) -> Path:
    """A bare Python, as setup-python or a CI image gives one: dagship not installed."""
    subprocess.run([sys.executable, "-m", "venv", str(where)], check=True, timeout=120)
    return where / "bin"


def _base_python() -> Path:
    """The interpreter's own bin folder, for templates that make their own venv."""
    return Path(sys.base_prefix) / "bin"


def _env(extra: dict[str, str], path_first: Path | None = None) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items()
            if not k.startswith(("GITHUB_", "GITLAB", "CI_", "JENKINS", "DS_", "DAGSHIP_"))
            and k not in ("CI", "VIRTUAL_ENV", "BRANCH_NAME", "GIT_BRANCH", "CHANGE_TARGET")}
    # dagship must come from the template's own install step, never from the test's venv
    parts = [p for p in keep.get("PATH", "").split(os.pathsep)
             if not (Path(p) / "dagship").exists()]
    if path_first is not None:
        parts.insert(0, str(path_first))
    keep["PATH"] = os.pathsep.join(parts)
    return {**keep, **extra}


def _run(shell: list[str], script: str, cwd: Path, env: dict[str, str]) -> str:
    done = subprocess.run([*shell, script], cwd=cwd, env=env, capture_output=True, text=True,
                          check=False, timeout=300)
    assert done.returncode == 0, f"{script}\n--- exit {done.returncode}\n{done.stdout}" \
                                 f"{done.stderr}"
    return done.stdout + done.stderr


def _render(value: Any, inputs: dict[str, str], secrets: dict[str, str]) -> str:
    def sub(m: re.Match[str]) -> str:
        return (inputs if m.group(1) == "inputs" else secrets).get(m.group(2), "")

    return _EXPR.sub(sub, str(value))


def _github_step_env(step: dict[str, Any], inputs: dict[str, str],
                     secrets: dict[str, str]) -> dict[str, str]:
    return {k: _render(v, inputs, secrets) for k, v in step.get("env", {}).items()}


def _defaults(declared: dict[str, Any]) -> dict[str, str]:
    return {name: str(d.get("default", "")).lower() if isinstance(d.get("default"), bool)
            else str(d.get("default", "")) for name, d in declared.items()}


# ---- GitHub ---------------------------------------------------------------------------------

def _github_ci_env(repo: DataRepo, tmp: Path, event: dict[str, Any], **extra: str) -> dict:
    event_path = tmp / "event.json"
    event_path.write_text(json.dumps(event), encoding="utf-8")
    summary = tmp / "summary.md"
    summary.touch()
    return {"GITHUB_ACTIONS": "true", "CI": "true", "RUNNER_TEMP": str(tmp / "runner"),
            "GITHUB_EVENT_PATH": str(event_path), "GITHUB_STEP_SUMMARY": str(summary),
            "GITHUB_SHA": repo.head, **extra}


def test_composite_action_lints_plans_and_deploys(data_repo, package_index, tmp_path):
    action = load_yaml(GITHUB_ACTION.read_text(encoding="utf-8"))
    shell = ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c"]
    python = _base_python()  # the action makes its own venv
    (tmp_path / "runner").mkdir()
    ci = _github_ci_env(data_repo, tmp_path, {"before": data_repo.base,
                                              "after": data_repo.head},
                        GITHUB_REF_NAME="develop", GITHUB_REF_TYPE="branch",
                        GITHUB_EVENT_NAME="push", DS_STAGING_TOKEN=TOKEN)
    outputs, summaries = {}, {}
    for command, args in [("lint", ""), ("fmt", "--check"), ("commit-msg", "--range auto"),
                          ("diff", "origin/develop"), ("plan", ""),
                          ("deploy", "--on-drift fail")]:
        inputs = {**_defaults(action["inputs"]), "command": command, "args": args,
                  "index-url": package_index}
        summary = tmp_path / f"summary-{command}.md"  # one per step of the caller's job
        summary.touch()
        out = ""
        for step in action["runs"]["steps"]:
            env = _env({**ci, **_github_step_env(step, inputs, {}),
                        "GITHUB_STEP_SUMMARY": str(summary)}, python)
            out += _run(shell, step["run"], data_repo.root, env)
        outputs[command] = out
        summaries[command] = summary.read_text(encoding="utf-8")
    assert f"dagship, version {__version__}" in outputs["lint"]
    assert "0 file(s) would be reformatted" in outputs["fmt"]
    assert "Target staging: project dataops-staging" in outputs["plan"]
    assert data_repo.workflows("dataops-staging") == ["hello_dagship", "second"]
    # diff, plan and deploy write their Markdown report to the job summary
    assert "| + | `second` |" in summaries["diff"]
    assert "| ~ | `hello_dagship` |" in summaries["diff"]
    assert "hello_dagship" in summaries["plan"]
    assert "hello_dagship" in summaries["deploy"]
    assert summaries["lint"] == summaries["fmt"] == ""
    # the installed wheel carries the CI templates `dagship init` copies
    installed = tmp_path / "runner" / "dagship-venv" / "bin" / "dagship"
    for ci in ("github", "gitlab", "jenkins"):
        subprocess.run([str(installed), "init", "--ci", ci, "--dir", str(tmp_path / ci)],
                       check=True, capture_output=True, timeout=60)
    assert (tmp_path / "github" / ".github/workflows/dagship.yml").read_text() == \
        GITHUB_WORKFLOW.read_text()
    assert (tmp_path / "jenkins" / "Jenkinsfile").is_file()
    assert (tmp_path / "gitlab" / ".gitlab/dagship.gitlab-ci.yml").is_file()


def test_reusable_workflow_validates_a_pull_request_and_deploys_a_push(
        data_repo, package_index, tmp_path):
    workflow = load_yaml(GITHUB_WORKFLOW.read_text(encoding="utf-8"))
    inputs = {**_defaults(workflow["on"]["workflow_call"]["inputs"]),
              "index-url": package_index}
    secrets = {"DS_STAGING_TOKEN": TOKEN, "DS_PROD_TOKEN": ""}
    shell = ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c"]

    def run_job(name: str, ci: dict[str, str]) -> tuple[str, dict[str, str]]:
        """The job's log, and each step's summary by step name (GitHub gives every step
        its own GITHUB_STEP_SUMMARY file and shows them in order as the job summary)."""
        job = workflow["jobs"][name]
        python = _python_venv(tmp_path / f"python-{name}")  # setup-python's interpreter
        job_env = {k: _render(v, inputs, secrets) for k, v in job.get("env", {}).items()}
        out, summaries = "", {}
        for i, step in enumerate(job["steps"]):
            if "uses" in step:  # checkout and setup-python: the test did both
                continue
            summary = tmp_path / f"summary-{name}-{i}.md"
            summary.touch()
            env = _env({**ci, **job_env, **_github_step_env(step, inputs, secrets),
                        "GITHUB_STEP_SUMMARY": str(summary)}, python)
            out += _run(shell, step["run"], data_repo.root, env)
            summaries[step["name"]] = summary.read_text(encoding="utf-8")
        return out, summaries

    pull = {"pull_request": {"base": {"sha": data_repo.base}, "head": {"sha": data_repo.head}}}
    out, summaries = run_job("validate", _github_ci_env(
        data_repo, tmp_path, pull, GITHUB_EVENT_NAME="pull_request",
        GITHUB_REF_NAME="7/merge", GITHUB_BASE_REF="develop", GITHUB_HEAD_REF="feature/x"))
    assert "Target staging: project dataops-staging" in out  # develop's target
    assert data_repo.workflows("dataops-staging") == []  # a plan sends nothing
    assert "2 unchanged" in out  # fmt --check saw both workflow files
    assert "hello_dagship" in summaries["Plan"]
    # the semantic diff of the pull request against the merge base with develop
    diff = summaries["Semantic diff"]
    assert f"merge base with develop ({data_repo.base[:7]})" in diff
    assert "| + | `second` |" in diff
    assert "| ~ | `hello_dagship` |" in diff
    assert '`"echo \\"done\\""` → `"echo \\"all done\\""`' in diff
    assert "```mermaid" in diff
    assert "hello_dagship" in out  # the text form in the log

    _, summaries = run_job("deploy", _github_ci_env(
        data_repo, tmp_path, {"before": data_repo.base, "after": data_repo.head},
        GITHUB_EVENT_NAME="push", GITHUB_REF_NAME="develop", GITHUB_REF_TYPE="branch"))
    assert data_repo.workflows("dataops-staging") == ["hello_dagship", "second"]
    assert "second" in summaries["Deploy"]


def test_reusable_workflow_commit_and_format_checks_fail_bad_input(data_repo, package_index,
                                                                  tmp_path):
    """The validate job's commit and format steps really judge the request."""
    git("commit", "--quiet", "--no-verify", "--allow-empty", "-m", "wip stuff",
        cwd=data_repo.root)
    bad = git("rev-parse", "HEAD", cwd=data_repo.root).stdout.strip()
    workflow = load_yaml(GITHUB_WORKFLOW.read_text(encoding="utf-8"))
    step = next(s for s in workflow["jobs"]["validate"]["steps"]
                if s.get("name") == "Lint commit messages")
    python = _python_venv(tmp_path / "python")
    subprocess.run([str(python / "pip"), "install", "--quiet", "--index-url", package_index,
                    f"dagship=={__version__}"], check=True, timeout=300)
    pull = {"pull_request": {"base": {"sha": data_repo.base}, "head": {"sha": bad}}}
    env = _env(_github_ci_env(data_repo, tmp_path, pull, GITHUB_EVENT_NAME="pull_request",
                              GITHUB_BASE_REF="develop"), python)
    done = subprocess.run(["bash", "-eo", "pipefail", "-c", step["run"]], cwd=data_repo.root,
                          env=env, capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 1
    assert f"::error file={bad[:7]}" in done.stdout  # an annotation, chosen by CI detection

    # and its format check fails a workflow file that is not in canonical form
    step = next(s for s in workflow["jobs"]["validate"]["steps"]
                if s.get("name") == "Check formatting")
    (data_repo.root / "workflows" / "third.yaml").write_text(
        "tasks:\n  - command: echo three\n    name: t\n    task_type: Shell\n"
        "workflow:\n  name: third\n", encoding="utf-8")
    done = subprocess.run(["bash", "-eo", "pipefail", "-c", step["run"]], cwd=data_repo.root,
                          env=env, capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "workflows/third.yaml" in done.stdout + done.stderr


# ---- GitLab ---------------------------------------------------------------------------------

def test_gitlab_component_jobs_run_as_rendered(data_repo, package_index, tmp_path):
    text = GITLAB_COMPONENT.read_text(encoding="utf-8")
    jobs = gitlab_jobs(render_component(text, {"index-url": package_index,
                                                "version": __version__}))
    python = _python_venv(tmp_path / "image-python")  # the job image's python3
    mr = {"GITLAB_CI": "true", "CI": "true", "CI_PIPELINE_SOURCE": "merge_request_event",
          "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "develop",
          "CI_MERGE_REQUEST_DIFF_BASE_SHA": data_repo.base, "CI_COMMIT_SHA": data_repo.head,
          "DS_STAGING_TOKEN": TOKEN}
    push = {"GITLAB_CI": "true", "CI": "true", "CI_PIPELINE_SOURCE": "push",
            "CI_COMMIT_BRANCH": "develop", "CI_COMMIT_SHA": data_repo.head,
            "CI_COMMIT_BEFORE_SHA": data_repo.base, "DS_STAGING_TOKEN": TOKEN}

    def run_job(name: str, ci: dict[str, str]) -> str:
        job = jobs[name]
        lines = job["before_script"] + job["script"]
        env = _env({**ci, **{k: str(v) for k, v in job.get("variables", {}).items()}}, python)
        return _run(["bash", "-eo", "pipefail", "-c"], "\n".join(lines), data_repo.root, env)

    logs = {name: run_job(name, mr)
            for name in ("dagship-lint", "dagship-commits", "dagship-diff", "dagship-plan")}
    assert "0 file(s) would be reformatted, 2 unchanged" in logs["dagship-lint"]
    lint = jobs["dagship-lint"]["artifacts"]["reports"]
    assert "<testsuite" in (data_repo.root / lint["junit"]).read_text(encoding="utf-8")
    assert json.loads((data_repo.root / lint["codequality"]).read_text(encoding="utf-8")) == []
    commits = (data_repo.root / jobs["dagship-commits"]["artifacts"]["reports"]["junit"])
    assert data_repo.head[:7] in commits.read_text(encoding="utf-8")
    for path in jobs["dagship-plan"]["artifacts"]["paths"]:
        assert (data_repo.root / path).read_text(encoding="utf-8")
    # the merge request's semantic diff, against the merge base with its target branch
    diff_md, diff_json = jobs["dagship-diff"]["artifacts"]["paths"]
    markdown = (data_repo.root / diff_md).read_text(encoding="utf-8")
    assert f"merge base with develop ({data_repo.base[:7]})" in markdown
    assert "| + | `second` |" in markdown
    assert "| ~ | `hello_dagship` |" in markdown
    changed = json.loads((data_repo.root / diff_json).read_text(encoding="utf-8"))
    assert changed["summary"] == {"added": 1, "changed": 1, "removed": 0, "renamed": 0}
    assert {w["name"]: w["status"] for w in changed["workflows"]} == {
        "second": "added", "hello_dagship": "changed"}
    assert data_repo.workflows("dataops-staging") == []

    run_job("dagship-deploy-staging", push)
    assert data_repo.workflows("dataops-staging") == ["hello_dagship", "second"]
    report = json.loads((data_repo.root / "dagship-deploy.json").read_text(encoding="utf-8"))
    assert TOKEN not in json.dumps(report)


# ---- Jenkins --------------------------------------------------------------------------------

def test_jenkins_step_scripts_run_in_order(data_repo, package_index, tmp_path):
    text = JENKINS_STEP.read_text(encoding="utf-8")
    sample = {"version": __version__, "indexUrl": package_index, "deployArgs": "--parallel 2"}
    settings = dict(re.findall(r"(DAGSHIP_\w+): config\.(\w+) \?:", text))
    env = {name: sample.get(key, "") for name, key in settings.items()}
    env.update({"DAGSHIP_TARGET": "staging", "JENKINS_URL": "http://jenkins.invalid/",
                "BRANCH_NAME": "PR-7", "CHANGE_ID": "7", "CHANGE_TARGET": "develop",
                "GIT_COMMIT": data_repo.head,
                "DS_STAGING_TOKEN": TOKEN})  # withCredentials(variable: tokenEnv)
    python = _base_python()  # the step makes its own venv
    scripts = groovy_sh_scripts(text)
    assert [s.split()[1] if s.startswith(".dagship") else "install" for s in scripts] == [
        "install", "lint", "fmt", "commit-msg", "diff", "plan", "deploy"]
    for script in scripts:
        _run(["sh", "-xe", "-c"], script, data_repo.root, _env(env, python))
    assert data_repo.workflows("dataops-staging") == ["hello_dagship", "second"]
    for report in ("dagship-lint.xml", "dagship-commits.xml", "dagship-plan.md",
                   "dagship-deploy.json", "dagship-diff.json"):
        assert (data_repo.root / report).is_file(), report
    # CHANGE_TARGET: against the merge base with origin/develop
    diff = (data_repo.root / "dagship-diff.md").read_text(encoding="utf-8")
    assert f"merge base with develop ({data_repo.base[:7]})" in diff
    assert "| + | `second` |" in diff
    assert "| ~ | `hello_dagship` |" in diff
