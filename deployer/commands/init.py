"""`dagship init`: scaffold a data repository for dagship.

Writes `dagship.yaml` (commented staging and production targets), a
`.pre-commit-config.yaml` with its four hooks (fmt, lint, commit-msg, branch) taken from
where the running dagship was installed from (`init_source`, `init_pins`), a first example
workflow and, with `--ci`, the CI files: copies of `ci-templates/` (shipped inside the
package as `deployer/ci_templates`), installing that same dagship, plus the few lines that
call them.
Idempotent: a file already there with the same content is left alone, one with other
content is kept unless `--force`. The result is formatted, lints and plans clean at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from deployer.commands.init_pins import (
    github_action,
    pin_github_workflow,
    pin_gitlab_include,
    pip_requirement,
    pre_commit_config,
)
from deployer.commands.init_source import Source, installed, parse_hooks_repo
from deployer.core.errors import EXIT_OK, UsageError
from deployer.output.console import echo

TEMPLATES = Path(__file__).resolve().parents[1] / "ci_templates"
CI_CHOICES = ("github", "gitlab", "jenkins")

CONFIG = """\
# dagship configuration (https://github.com/dagship/dagship). dagship finds this file
# like git finds .git: run `dagship ...` anywhere below this folder.
# No secret lives here: each target names the environment variable holding its token.

# Where the workflow definitions are: one workflow per *.yaml file.
workflows: [workflows/]
# Scripts, SQL files and jars tasks take from the resource center, kept in Git and uploaded
# by every deploy; a task lists them in resource_list and runs `$RESOURCE{"resources/x.sh"}`
# (dagship's docs/resources.md).
# resources: [resources/]

# Commit messages: Conventional Commits, checked by the commit-msg hook and again in CI.
commit:
  types: [feat, fix, docs, style, refactor, perf, test, build, ci, chore, revert]
  scopes: []                       # e.g. [ingest, transform, report]; empty: any scope
  subject_max_length: 72

# Feature branches merge into develop (deployed to staging), develop into main (production).
branches:
  pattern: '^(main|develop|(feature|bugfix|release|hotfix)/[A-Za-z0-9._-]+)$'
  protected: [main, develop]       # no direct commits

targets:
  staging:
    # `dagship sandbox` listens here: try a plan locally before pointing at a real server.
    url: http://127.0.0.1:12345/dolphinscheduler
    token_env: DS_STAGING_TOKEN    # CI sets it from a secret; never write the token here
    project: dataops-staging
    branches: [develop]
    variables:
      worker_group: default        # $VAR{worker_group} in a workflow takes this value
    # The CI's staging deploy then starts these deployed, online workflows and waits: a
    # failed run fails the job (`dagship deploy --smoke`; dagship's docs/runs.md).
    # smoke:
    #   workflows: [your_workflow]
    #   timeout: 600               # seconds
  production:
    url: https://ds.example.com/dolphinscheduler
    token_env: DS_PROD_TOKEN
    project: dataops
    branches: [main]               # production refuses any other branch
    production: true
    prune: false                   # deleting a production workflow stays a human decision
    variables:
      worker_group: default
"""

EXAMPLE_WORKFLOW = """\
# A first workflow: two shell tasks, the second after the first. Deployed offline, so its
# schedule does not fire until you put it online (release_state: online).
workflow:
  name: hello_dagship
  description: The example workflow written by dagship init
  schedule: "0 0 6 * * ? *"
  timezone: UTC
  start_time: "2024-01-01"
  release_state: offline
  worker_group: $VAR{worker_group}

tasks:
  - name: say_hello
    task_type: Shell
    command: echo "hello from dagship"

  - name: say_done
    task_type: Shell
    deps: [say_hello]
    command: echo "done"
"""


GITHUB_CALLER = """\
# Calls the dagship reusable workflow beside it: lint, format check, commit messages, the
# semantic diff and the plan on pull requests, deploy on pushes to develop and main.
# Tokens: DS_STAGING_TOKEN and DS_PROD_TOKEN as secrets of the GitHub environments staging
# and production (or of the repository).
name: dagship CI
on:
  pull_request:
  push:
    branches: [develop, main]
permissions:
  contents: read
jobs:
  dagship:
    # The workspace-relative form works on every GitHub, GitHub Enterprise Server included.
    uses: ./.github/workflows/dagship.yml  # zizmor: ignore[self-repository]
    # Passed by name, not `inherit`; the deploy job's environment secrets still win there.
    secrets:
      DS_STAGING_TOKEN: ${{ secrets.DS_STAGING_TOKEN }}
      DS_PROD_TOKEN: ${{ secrets.DS_PROD_TOKEN }}
"""

GITLAB_CALLER = """\
# dagship: lint, format check, commit messages, diff and plan on merge requests; deploy
# develop and main.
# Tokens: DS_STAGING_TOKEN and DS_PROD_TOKEN as masked, protected CI/CD variables.
stages: [validate, deploy]
include:
  - local: .gitlab/dagship.gitlab-ci.yml
"""


@dataclass(frozen=True)
class Outcome:
    path: str
    action: str  # "created", "unchanged", "kept", "overwritten"


def _template(relative: str) -> str:
    path = TEMPLATES / relative
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:  # a broken installation, not a user error: say where
        raise UsageError(f"dagship's CI template {path} is missing ({exc.strerror}); "
                         "reinstall dagship") from exc


def _ci_files(ci: str, source: Source) -> dict[str, str]:
    if ci == "github":
        workflow = pin_github_workflow(_template("github/dagship.yml"), source)
        return {".github/workflows/dagship.yml": workflow,
                ".github/workflows/dagship-ci.yml": GITHUB_CALLER}
    if ci == "gitlab":
        include = pin_gitlab_include(_template("gitlab/dagship.gitlab-ci.yml"), source)
        return {".gitlab-ci.yml": GITLAB_CALLER, ".gitlab/dagship.gitlab-ci.yml": include}
    return {"Jenkinsfile": _template("jenkins/Jenkinsfile")}


def scaffold_files(ci: str | None, source: Source | None = None) -> dict[str, str]:
    """Relative path -> content of everything `dagship init` writes; the hooks and CI files
    install dagship from `source` (default: where the running dagship came from)."""
    source = source or installed()
    files = {"dagship.yaml": CONFIG,
             ".pre-commit-config.yaml": pre_commit_config(source),
             "workflows/hello_dagship.yaml": EXAMPLE_WORKFLOW}
    if ci is not None:
        if ci not in CI_CHOICES:
            raise UsageError(f"--ci {ci!r}: expected one of {', '.join(CI_CHOICES)}")
        files.update(_ci_files(ci, source))
    return files


def init_repository(root: Path, *, ci: str | None, force: bool,
                    source: Source | None = None) -> list[Outcome]:
    outcomes = []
    for relative, content in scaffold_files(ci, source).items():
        path = root / relative
        if path.is_dir():
            raise UsageError(f"{relative}: is a directory; dagship init writes a file there")
        if path.exists():
            same = path.read_text(encoding="utf-8", errors="replace") == content
            if same or not force:
                outcomes.append(Outcome(relative, "unchanged" if same else "kept"))
                continue
            action = "overwritten"
        else:
            action = "created"
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"{relative}: cannot write: {exc.strerror}") from exc
        outcomes.append(Outcome(relative, action))
    return outcomes


def source_notes(source: Source, ci: str | None) -> list[str]:
    """What init tells about where the hooks and CI files get dagship from."""
    if source.repo is None:
        lines = [f"hooks: the `dagship` on PATH ({source.origin}); pre-commit builds hooks "
                 "only from a Git repository: install dagship from Git, or --hooks-repo"]
    else:
        lines = [f"hooks: {source.repo} at {source.rev} ({source.origin})"]
    if ci == "github" and github_action(source) is None:
        lines.append("CI: the GitHub workflow runs dagship's action at its release tag "
                     "(an action comes from a GitHub repository, and this source is none)")
    if ci == "gitlab" and pip_requirement(source) is None:
        lines.append("CI: the GitLab include installs dagship at its release tag")
    if ci == "jenkins":
        lines.append("CI: the Jenkins library installs dagship at its own release tag")
    return lines


def describe(outcomes: list[Outcome], notes_about_source: list[str] | None = None) -> str:
    notes = {"created": "created", "overwritten": "overwritten (--force)",
             "unchanged": "already there, unchanged",
             "kept": "already there with other content: kept (--force overwrites it)"}
    lines = [f"  {o.path}: {notes[o.action]}" for o in outcomes]
    lines += notes_about_source or []
    lines.append("next: set DS_STAGING_TOKEN, then `dagship lint` and `dagship plan "
                 "--target staging`; `pip install pre-commit`, then `pre-commit install "
                 "--hook-type pre-commit --hook-type commit-msg --hook-type pre-push`")
    return "\n".join(lines)


@dataclass(frozen=True, kw_only=True)
class InitOptions:
    """No dagship.yaml is read: init writes it."""

    directory: str = "."  # the data repository to scaffold
    ci: str | None = None  # github | gitlab | jenkins: also write that CI's files
    force: bool = False  # overwrite files that exist with other content
    hooks_repo: str | None = None  # URL[@REV] the hooks and CI files install dagship from


def init_command(options: InitOptions) -> int:
    source = parse_hooks_repo(options.hooks_repo) if options.hooks_repo else installed()
    outcomes = init_repository(Path(options.directory), ci=options.ci, force=options.force,
                               source=source)
    echo(describe(outcomes, source_notes(source, options.ci)))
    return EXIT_OK
