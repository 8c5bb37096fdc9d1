"""Every CI template validated offline, and the invariants a reviewer would check by eye:
a deploy is never cancelled, deploys of a target are serialised, secrets reach dagship only
through the CI's secret store and the environment, the dagship version is pinned, every job
is bounded in time, and permissions are least.

The validators (check-jsonschema, zizmor, npm-groovy-lint@16) are installed by `make test`;
a missing one fails the test when CI is set (see helpers.validator).
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from deployer import __version__
from deployer.commands.init import scaffold_files
from deployer.commands.init_source import Source
from tests.ci_templates.helpers import (
    GITHUB_ACTION,
    GITHUB_WORKFLOW,
    GITLAB_COMPONENT,
    GITLAB_PLAIN,
    JENKINS_STEP,
    JENKINSFILE,
    SHA_PIN,
    TEMPLATES,
    component_inputs,
    gitlab_jobs,
    groovy_sh_scripts,
    load_yaml,
    render_component,
    split_component,
    validator,
)


def _check_jsonschema(schema: str, *files: Path, transform: str | None = None) -> None:
    cmd = [validator("check-jsonschema"), "--builtin-schema", schema, "-o", "JSON"]
    if transform:
        cmd += ["--data-transform", transform]
    done = subprocess.run([*cmd, *map(str, files)], capture_output=True, text=True,
                          check=False, timeout=120)
    assert done.returncode == 0, f"{schema}: {done.stdout}{done.stderr}"
    assert json.loads(done.stdout)["status"] == "ok"


# ---- schemas --------------------------------------------------------------------------------

def test_composite_action_matches_the_github_actions_schema():
    _check_jsonschema("vendor.github-actions", GITHUB_ACTION)


def test_reusable_workflow_matches_the_workflow_schema_and_has_timeouts():
    _check_jsonschema("vendor.github-workflows", GITHUB_WORKFLOW)
    _check_jsonschema("custom.github-workflows-require-timeout", GITHUB_WORKFLOW)


def test_gitlab_component_both_documents_match_the_gitlab_schema(tmp_path):
    head, body = split_component(GITLAB_COMPONENT.read_text(encoding="utf-8"))
    (tmp_path / "spec.yml").write_text(head, encoding="utf-8")
    (tmp_path / "jobs.yml").write_text(body, encoding="utf-8")
    _check_jsonschema("vendor.gitlab-ci", tmp_path / "spec.yml", tmp_path / "jobs.yml",
                      transform="gitlab-ci")


def test_gitlab_plain_template_matches_the_gitlab_schema():
    _check_jsonschema("vendor.gitlab-ci", GITLAB_PLAIN, transform="gitlab-ci")


def test_the_schema_check_fails_on_a_broken_template(tmp_path):
    """The gate can fail: a run step without `shell:` is refused by the actions schema."""
    broken = GITHUB_ACTION.read_text(encoding="utf-8").replace("      shell: bash\n", "", 1)
    (tmp_path / "action.yml").write_text(broken, encoding="utf-8")
    with pytest.raises(AssertionError, match=r"vendor\.github-actions"):
        _check_jsonschema("vendor.github-actions", tmp_path / "action.yml")


def test_gitlab_plain_template_is_the_component_rendered_with_its_defaults():
    plain = GITLAB_PLAIN.read_text(encoding="utf-8")
    body = "\n".join(line for line in plain.splitlines()
                     if not line.startswith("#")) + "\n"
    # the plain include cannot know its own commit: it installs the release tag instead
    assert body.lstrip("\n") == render_component(GITLAB_COMPONENT.read_text(encoding="utf-8"),
                                                  component={"sha": f"v{__version__}"})


@pytest.mark.parametrize("ci", ["github", "gitlab"])
def test_files_written_by_init_match_their_schemas(tmp_path, ci):
    schema = {"github": "vendor.github-workflows", "gitlab": "vendor.gitlab-ci"}[ci]
    written = []
    for relative, content in scaffold_files(ci).items():
        if relative.startswith((".github/", ".gitlab")):
            path = tmp_path / relative.replace("/", "_")
            path.write_text(content, encoding="utf-8")
            written.append(path)
    assert written
    _check_jsonschema(schema, *written, transform="gitlab-ci" if ci == "gitlab" else None)


# ---- linters --------------------------------------------------------------------------------

def test_zizmor_offline_finds_nothing_in_the_github_templates(tmp_path):
    caller = tmp_path / "dagship-ci.yml"
    caller.write_text(scaffold_files("github")[".github/workflows/dagship-ci.yml"],
                      encoding="utf-8")
    # as `dagship init` writes it for a dagship installed from Git: pinned to the commit
    pinned = tmp_path / "dagship.yml"
    commit = "0123456789abcdef0123456789abcdef01234567"
    pinned.write_text(scaffold_files("github", Source(
        "https://github.com/acme/dagship", commit, "v1.0.0", "x"))[
            ".github/workflows/dagship.yml"], encoding="utf-8")
    assert f"uses: acme/dagship/ci-templates/github@{commit}  # v1.0.0\n" in pinned.read_text()
    _check_jsonschema("vendor.github-workflows", pinned)
    done = subprocess.run([validator("zizmor"), "--offline", "--no-progress", str(GITHUB_ACTION),
                           str(GITHUB_WORKFLOW), str(caller), str(pinned)],
                          capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No findings" in done.stdout + done.stderr


def test_zizmor_catches_an_input_interpolated_into_a_script(tmp_path):
    """The gate can fail: `${{ inputs.args }}` inside `run:` is a template injection."""
    text = GITHUB_ACTION.read_text(encoding="utf-8").replace(
        '"$DAGSHIP_COMMAND" "${report[@]}" $DAGSHIP_ARGS',
        '"$DAGSHIP_COMMAND" "${report[@]}" ${{ inputs.args }}')
    (tmp_path / "action.yml").write_text(text, encoding="utf-8")
    done = subprocess.run([validator("zizmor"), "--offline", "--no-progress",
                           str(tmp_path / "action.yml")],
                          capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode != 0
    assert "template-injection" in done.stdout


def _jenkins_files(folder: Path) -> list[str]:
    """Every pipeline and step of the folder; named one by one because the tool's `--files`
    globs pass over a `Jenkinsfile.previews`."""
    found = [*folder.glob("vars/*.groovy"), *folder.glob("Jenkinsfile*")]
    return sorted(str(p.relative_to(folder)) for p in found)


def _groovy_lint(folder: Path) -> dict[str, Any]:
    done = subprocess.run(
        [validator("npm-groovy-lint"), "--noserver", "--failon", "info", "--output", "json",
         *_jenkins_files(folder)],
        cwd=folder, capture_output=True, text=True, check=False, timeout=300)
    start = done.stdout.find("{")
    assert start >= 0, done.stdout + done.stderr
    report = json.loads(done.stdout[start:])
    report["returncode"] = done.returncode
    return report


@pytest.mark.slow
def test_npm_groovy_lint_finds_nothing_in_the_jenkins_files():
    report = _groovy_lint(TEMPLATES / "jenkins")
    files = _jenkins_files(TEMPLATES / "jenkins")
    assert {"Jenkinsfile", "Jenkinsfile.previews", "vars/dagshipDeploy.groovy",
            "vars/dagshipPreview.groovy"} <= set(files)
    assert report["summary"]["totalFilesLinted"] == len(files)
    assert report["summary"]["totalFoundNumber"] == 0, json.dumps(report["files"], indent=1)
    assert report["returncode"] == 0


@pytest.mark.slow
def test_npm_groovy_lint_reports_a_broken_pipeline(tmp_path):
    (tmp_path / ".groovylintrc.json").write_text(
        (TEMPLATES / "jenkins" / ".groovylintrc.json").read_text(), encoding="utf-8")
    (tmp_path / "Jenkinsfile").write_text(
        JENKINSFILE.read_text(encoding="utf-8").replace("    stages {", "    stages {{", 1),
        encoding="utf-8")
    report = _groovy_lint(tmp_path)
    assert report["returncode"] != 0
    assert report["summary"]["totalFoundErrorNumber"] >= 1


# ---- invariants: GitHub ---------------------------------------------------------------------

def _workflow() -> dict[str, Any]:
    return load_yaml(GITHUB_WORKFLOW.read_text(encoding="utf-8"))


def _github_steps() -> list[dict[str, Any]]:
    action = load_yaml(GITHUB_ACTION.read_text(encoding="utf-8"))
    steps = list(action["runs"]["steps"])
    for job in _workflow()["jobs"].values():
        steps += job["steps"]
    return steps


def test_github_deploy_is_never_cancelled_and_serialised_per_target():
    jobs = _workflow()["jobs"]
    deploy = jobs["deploy"]
    assert deploy["concurrency"]["cancel-in-progress"] is False
    group = deploy["concurrency"]["group"]
    # the group names the target's environment, exactly as the job's environment does
    assert deploy["environment"]["name"].strip("${} ") in group
    assert "github.repository" in group
    assert "push" in deploy["if"]
    assert "'develop'" in deploy["if"]
    assert "'main'" in deploy["if"]
    assert jobs["validate"]["concurrency"]["cancel-in-progress"] is True  # a PR run, not deploy
    assert "pull_request" in jobs["validate"]["if"]


def test_github_every_job_is_bounded_and_has_least_permissions():
    workflow = _workflow()
    assert workflow["permissions"] == {}
    for name, job in workflow["jobs"].items():
        assert job.get("timeout-minutes"), name
        assert job["permissions"] == {"contents": "read"}, name


def test_github_no_expression_reaches_a_script():
    """Inputs and secrets reach the shell only through `env:`: no `${{` inside any `run:`."""
    runs = [s["run"] for s in _github_steps() if "run" in s]
    assert len(runs) == 2  # the action's; the workflow's steps are the action
    for run in runs:
        assert "${{" not in run, run


def test_github_secrets_appear_only_as_env_values():
    for step in _github_steps():
        for key, value in step.items():
            if key != "env" and "secrets." in json.dumps(value):
                raise AssertionError(f"a secret outside env: in step {step}")
    deploy_env = next(s["env"] for s in _workflow()["jobs"]["deploy"]["steps"]
                      if s.get("name") == "Deploy")
    assert deploy_env["DS_PROD_TOKEN"] == "${{ secrets.DS_PROD_TOKEN }}"


OWN_ACTION = "dagship/dagship/ci-templates/github"


def test_github_installs_its_own_ref_and_pins_third_party_actions():
    """The reusable workflow's dagship steps are all the action of one dagship ref (the
    release tag, which `init` replaces with an exact commit); the action installs dagship
    from its own checkout unless `package` names a requirement; other actions by SHA."""
    action = load_yaml(GITHUB_ACTION.read_text(encoding="utf-8"))
    install = action["runs"]["steps"][0]["run"]
    assert '"${DAGSHIP_PACKAGE:-$GITHUB_ACTION_PATH/../..}"' in install
    assert (GITHUB_ACTION.parent / "../.." / "pyproject.toml").resolve() == \
        TEMPLATES.parent / "pyproject.toml"  # two folders up is the repository root
    assert action["inputs"]["package"]["default"] == ""
    assert "version" not in action["inputs"]
    assert "version" not in _workflow()["on"]["workflow_call"]["inputs"]
    uses = [s["uses"] for s in _github_steps() if "uses" in s]
    own = [u for u in uses if u.startswith(OWN_ACTION + "@")]
    assert len(own) == 6
    assert set(own) == {f"{OWN_ACTION}@v{__version__}"}
    for ref in set(uses) - set(own):
        assert SHA_PIN.match(ref), f"{ref}: pin third-party actions by commit SHA"
    for step in _github_steps():
        if "checkout" in step.get("uses", ""):
            assert step["with"]["persist-credentials"] is False
        if step.get("uses", "").startswith(OWN_ACTION):
            assert step["with"]["package"] == "${{ inputs.package }}"
            assert step["with"]["index-url"] == "${{ inputs.index-url }}"


# ---- invariants: GitLab ---------------------------------------------------------------------

def _component_jobs() -> dict[str, dict[str, Any]]:
    return gitlab_jobs(render_component(GITLAB_COMPONENT.read_text(encoding="utf-8")))


def test_gitlab_deploys_are_serialised_never_interrupted_and_bounded():
    jobs = _component_jobs()
    deploys = {n: j for n, j in jobs.items() if "deploy" in n}
    assert set(deploys) == {"dagship-deploy-staging", "dagship-deploy-production"}
    groups = set()
    for name, job in deploys.items():
        assert job["interruptible"] is False, name
        assert job["resource_group"] == f"dagship-{job['environment']['name']}", name
        groups.add(job["resource_group"])
        assert job["timeout"], name
    assert len(groups) == 2  # one per target
    branches = {n: j["rules"][0]["if"] for n, j in deploys.items()}
    assert branches == {"dagship-deploy-staging": '$CI_COMMIT_BRANCH == "develop"',
                        "dagship-deploy-production": '$CI_COMMIT_BRANCH == "main"'}
    for name, job in jobs.items():
        assert job.get("timeout"), name


def test_gitlab_validate_jobs_report_junit_and_code_quality():
    jobs = _component_jobs()
    assert jobs["dagship-lint"]["artifacts"]["reports"] == {
        "junit": "dagship-lint.xml", "codequality": "gl-code-quality-report.json"}
    assert jobs["dagship-commits"]["artifacts"]["reports"]["junit"] == "dagship-commits.xml"
    for name in ("dagship-lint", "dagship-commits", "dagship-diff", "dagship-plan"):
        assert jobs[name]["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "merge_request_event"'}]


def test_review_jobs_check_the_format_and_show_the_semantic_diff():
    """Pull/merge/change requests: `fmt --check` fails unformatted files; the diff against
    the merge base with the target branch is shown beside the plan, from a full clone."""
    validate = _workflow()["jobs"]["validate"]
    commands = [(s["with"]["command"], s["with"].get("args", "")) for s in validate["steps"]
                if s.get("uses", "").startswith(OWN_ACTION)]
    assert commands == [("lint", ""), ("fmt", "--check"), ("commit-msg", "--range auto"),
                        ("diff", ""), ("plan", "--no-progress")]
    checkout = next(s for s in validate["steps"] if "checkout" in s.get("uses", ""))
    assert checkout["with"]["fetch-depth"] == 0
    action = load_yaml(GITHUB_ACTION.read_text(encoding="utf-8"))
    assert "diff|plan|deploy)" in action["runs"]["steps"][1]["run"]

    jobs = _component_jobs()
    assert "dagship fmt --check" in jobs["dagship-lint"]["script"]
    diff = jobs["dagship-diff"]
    assert diff["script"] == ["dagship diff --markdown dagship-diff.md --json dagship-diff.json"]
    assert diff["variables"]["GIT_DEPTH"] == "0"
    assert diff["artifacts"]["expose_as"] == "dagship diff"
    assert diff["artifacts"]["paths"] == ["dagship-diff.md", "dagship-diff.json"]
    assert "TOKEN" not in json.dumps(diff)  # a diff needs no scheduler

    text = JENKINS_STEP.read_text(encoding="utf-8")
    change = text[text.index("if (env.CHANGE_ID) {"):text.index("withCredentials(")]
    assert "dagship fmt --check" in change
    assert "dagship diff --markdown dagship-diff.md" in change
    assert "'dagship-*.md, dagship-*.json'" in text  # archived with the plan


def test_gitlab_installs_its_own_commit_and_never_names_a_token():
    text = GITLAB_COMPONENT.read_text(encoding="utf-8")
    spec = component_inputs(text)
    assert spec["repository"]["default"] == "https://github.com/dagship/dagship.git"
    assert spec["package"]["default"] == ""
    assert spec["image"]["default"] == "python:3.12"  # has git; -slim has none
    assert "version" not in spec
    sha = "0123456789abcdef0123456789abcdef01234567"
    jobs = gitlab_jobs(render_component(text, component={"sha": sha}))
    for name, job in jobs.items():
        for line in job.get("before_script", []) + job["script"]:
            assert "TOKEN" not in line, f"{name}: {line}"
        assert job["variables"]["DAGSHIP_SOURCE"] == \
            f"git+https://github.com/dagship/dagship.git@{sha}"
        assert '"${DAGSHIP_PACKAGE:-$DAGSHIP_SOURCE}"' in job["before_script"][0]
    # every input the jobs use is declared (render_component asserts it), and used
    body = split_component(text)[1]
    for name in spec:
        assert f"inputs.{name} ]]" in body, f"input {name} is declared but never used"


# ---- invariants: Jenkins --------------------------------------------------------------------

def test_jenkins_step_binds_the_token_locks_the_target_and_records_junit():
    text = JENKINS_STEP.read_text(encoding="utf-8")
    assert "def call(Map config = [:])" in text
    cred = text.index("withCredentials([string(credentialsId: credentialsId, variable: tokenEnv)")
    lock = text.index('lock(resource: "dagship-${target}")')
    deploy = text.index("dagship deploy")
    assert cred < lock < deploy  # the deploy runs inside the lock, inside the credentials
    assert "timeout(time: timeoutMinutes, unit: 'MINUTES')" in text[lock:deploy]
    assert text.index("} finally {") < text.index("junit(allowEmptyResults: true")
    # the library's own release, from the dagship repository, unless `pkg` says otherwise
    assert "DAGSHIP_PACKAGE: config.pkg ?: 'git+https://github.com/dagship/dagship.git@v" \
        + __version__ + "'," in text


def test_jenkins_scripts_are_single_quoted_and_never_name_a_secret():
    for path in (JENKINS_STEP, JENKINSFILE):
        text = path.read_text(encoding="utf-8")
        # Groovy interpolation in a script would put values (a token) into the command line
        assert not re.search(r'\bsh\s*\(?\s*"', text), path
        for script in groovy_sh_scripts(text):
            assert "TOKEN" not in script, script
    assert len(groovy_sh_scripts(JENKINS_STEP.read_text(encoding="utf-8"))) == 7


def test_jenkinsfile_uses_the_pinned_library_and_leaves_junit_to_the_step():
    """The step records JUnit in its `finally`; a `post { junit }` would record it twice
    (the JenkinsPipelineUnit tests count the calls)."""
    text = JENKINSFILE.read_text(encoding="utf-8")
    assert f"@Library('dagship@v{__version__}') _" in text
    assert "junit(" not in text
    assert not re.search(r"^\s*post\s*\{", text, flags=re.M)
    assert text.count("dagshipDeploy(") == 4
    assert "timeout(time:" in text


def test_jenkins_help_text_documents_every_setting_of_the_step():
    text = JENKINS_STEP.read_text(encoding="utf-8")
    used = set(re.findall(r"\bconfig\.(\w+)", text))
    help_text = (JENKINS_STEP.with_suffix(".txt")).read_text(encoding="utf-8")
    documented = set(re.findall(r"^  (\w+) ", help_text, flags=re.M))
    assert used == documented


def test_jenkins_never_aborts_a_running_deploy():
    for path in (JENKINS_STEP, JENKINSFILE):
        text = path.read_text(encoding="utf-8")
        assert "abortPrevious" not in text  # disableConcurrentBuilds() queues, never aborts
        assert "milestone" not in text      # a passed milestone aborts older builds


def test_a_missing_validator_fails_in_ci_and_skips_only_on_a_workstation(monkeypatch):
    """So the offline validation cannot silently pass where it matters."""
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="no-such-validator is not installed"):
        validator("no-such-validator")
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception):
        validator("no-such-validator")
