"""`dagship init`: scaffold a data repository for dagship.

Writes `dagship.yaml` (commented staging and production targets), a
`.pre-commit-config.yaml` pinned to the running dagship version with its four hooks (fmt,
lint, commit-msg, branch), a first example workflow and, with `--ci`, the CI files: copies
of `ci-templates/` (shipped inside the package as `deployer/ci_templates`) plus the few
lines that call them.
Idempotent: a file already there with the same content is left alone, one with other
content is kept unless `--force`. The result is formatted, lints and plans clean at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from deployer import __version__
from deployer.core.errors import EXIT_OK, UsageError
from deployer.output.console import echo

TEMPLATES = Path(__file__).resolve().parents[1] / "ci_templates"
CI_CHOICES = ("github", "gitlab", "jenkins")

CONFIG = """\
# dagship configuration (https://github.com/<your-org>/dagship). dagship finds this file
# like git finds .git: run `dagship ...` anywhere below this folder.
# No secret lives here: each target names the environment variable holding its token.

# Where the workflow definitions are: one workflow per *.yaml file.
workflows: [workflows/]

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


PRE_COMMIT = """\
# dagship's hooks, pinned to the version this repository was set up with. pre-commit builds
# their environment with pip, from the index pip is configured for (PIP_INDEX_URL).
#   pre-commit install --hook-type pre-commit --hook-type commit-msg --hook-type pre-push
repos:
  - repo: local
    hooks:
      # Rewrites staged workflow files in canonical form; stage them again and commit.
      - id: dagship-fmt
        name: dagship fmt
        entry: dagship fmt
        language: python
        additional_dependencies: ["dagship=={version}"]
        files: ^workflows/.*\\.ya?ml$
        require_serial: true
        stages: [pre-commit]
      - id: dagship-lint
        name: dagship lint
        entry: dagship lint --force-exclude
        language: python
        additional_dependencies: ["dagship=={version}"]
        files: ^workflows/.*\\.(ya?ml|json)$
        require_serial: true
        stages: [pre-commit]
      - id: dagship-commit-msg
        name: dagship commit-msg
        entry: dagship commit-msg
        language: python
        additional_dependencies: ["dagship=={version}"]
        stages: [commit-msg]
      - id: dagship-branch
        name: dagship branch
        entry: dagship branch
        language: python
        additional_dependencies: ["dagship=={version}"]
        pass_filenames: false
        always_run: true
        stages: [pre-commit, pre-push]
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


def _ci_files(ci: str) -> dict[str, str]:
    if ci == "github":
        return {".github/workflows/dagship.yml": _template("github/dagship.yml"),
                ".github/workflows/dagship-ci.yml": GITHUB_CALLER}
    if ci == "gitlab":
        return {".gitlab-ci.yml": GITLAB_CALLER,
                ".gitlab/dagship.gitlab-ci.yml": _template("gitlab/dagship.gitlab-ci.yml")}
    return {"Jenkinsfile": _template("jenkins/Jenkinsfile")}


def scaffold_files(ci: str | None) -> dict[str, str]:
    """Relative path -> content of everything `dagship init` writes."""
    files = {"dagship.yaml": CONFIG,
             ".pre-commit-config.yaml": PRE_COMMIT.format(version=__version__),
             "workflows/hello_dagship.yaml": EXAMPLE_WORKFLOW}
    if ci is not None:
        if ci not in CI_CHOICES:
            raise UsageError(f"--ci {ci!r}: expected one of {', '.join(CI_CHOICES)}")
        files.update(_ci_files(ci))
    return files


def init_repository(root: Path, *, ci: str | None, force: bool) -> list[Outcome]:
    outcomes = []
    for relative, content in scaffold_files(ci).items():
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


def describe(outcomes: list[Outcome]) -> str:
    notes = {"created": "created", "overwritten": "overwritten (--force)",
             "unchanged": "already there, unchanged",
             "kept": "already there with other content: kept (--force overwrites it)"}
    lines = [f"  {o.path}: {notes[o.action]}" for o in outcomes]
    lines.append("next: set DS_STAGING_TOKEN, then `dagship lint` and `dagship plan "
                 "--target staging`; `pre-commit install --hook-type pre-commit "
                 "--hook-type commit-msg --hook-type pre-push`")
    return "\n".join(lines)


@dataclass(frozen=True, kw_only=True)
class InitOptions:
    """No dagship.yaml is read: init writes it."""

    directory: str = "."  # the data repository to scaffold
    ci: str | None = None  # github | gitlab | jenkins: also write that CI's files
    force: bool = False  # overwrite files that exist with other content


def init_command(options: InitOptions) -> int:
    outcomes = init_repository(Path(options.directory), ci=options.ci, force=options.force)
    echo(describe(outcomes))
    return EXIT_OK
