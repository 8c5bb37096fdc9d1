"""What `dagship init` writes that installs dagship: the pre-commit hooks, and the install
source of the CI files it copies, both from the source of the running dagship
(`init_source`), so the laptop, the hooks and CI run the same dagship.

- A Git source (installed from Git, or `--hooks-repo`): pre-commit's ordinary remote form,
  `repo:` + `rev:` (the exact commit, `# frozen: <tag>`), which pre-commit builds from the
  repository itself; the CI files install `git+<repo>@<rev>`.
- No Git source (a folder or editable install): `repo: local` hooks with `language: system`,
  which run the `dagship` on PATH, and a comment that says why; the CI files keep their
  release pin.
"""

from __future__ import annotations

import re

from deployer import __version__
from deployer.commands.init_source import HOME, Source

REMOTE = """\
# dagship's hooks. pre-commit builds them from the dagship repository at the revision below:
#   {origin}
# Install pre-commit (pip install pre-commit), then
#   pre-commit install --hook-type pre-commit --hook-type commit-msg --hook-type pre-push
repos:
  - repo: {repo}
    rev: {rev}
    hooks:
      # Rewrites staged workflow files in canonical form; stage them again and commit.
      - id: dagship-fmt
        files: ^workflows/.*\\.ya?ml$
      - id: dagship-lint
        files: ^workflows/.*\\.(ya?ml|json)$
      - id: dagship-commit-msg
      - id: dagship-branch
"""

LOCAL = """\
# dagship's hooks run the `dagship` on PATH: pre-commit builds hooks only from a Git
# repository, and the dagship that wrote this file was not installed from one:
#   {origin}
# To pin them, install dagship from Git (pip install "git+{home}@v{version}")
# and run `dagship init --force`, or pass --hooks-repo URL[@REV]. Install pre-commit
# (pip install pre-commit), then
#   pre-commit install --hook-type pre-commit --hook-type commit-msg --hook-type pre-push
repos:
  - repo: local
    hooks:
      # Rewrites staged workflow files in canonical form; stage them again and commit.
      - id: dagship-fmt
        name: dagship fmt
        entry: dagship fmt
        language: system
        files: ^workflows/.*\\.ya?ml$
        require_serial: true
        stages: [pre-commit]
      - id: dagship-lint
        name: dagship lint
        entry: dagship lint --force-exclude
        language: system
        files: ^workflows/.*\\.(ya?ml|json)$
        require_serial: true
        stages: [pre-commit]
      - id: dagship-commit-msg
        name: dagship commit-msg
        entry: dagship commit-msg
        language: system
        stages: [commit-msg]
      - id: dagship-branch
        name: dagship branch
        entry: dagship branch
        language: system
        pass_filenames: false
        always_run: true
        stages: [pre-commit, pre-push]
"""

_GITHUB = re.compile(r"^(?:https://github\.com/|git@github\.com:|ssh://git@github\.com/)"
                     r"([\w.-]+/[\w.-]+?)(?:\.git)?/?$")
_SCP = re.compile(r"^([\w.-]+@[\w.-]+):(?!//)(.+)$")  # git@host:path, git's own short form


def pre_commit_config(source: Source) -> str:
    if source.repo is None:
        return LOCAL.format(origin=source.origin, home=HOME, version=__version__)
    return REMOTE.format(repo=source.repo, rev=source.pinned, origin=source.origin)


def pip_requirement(source: Source) -> str | None:
    """`git+<url>@<rev>` as pip reads it (pip knows neither `git@host:path` nor bare paths)."""
    if source.repo is None or source.rev is None:
        return None
    url = source.repo
    scp = _SCP.match(url)
    if scp:
        url = f"ssh://{scp.group(1)}/{scp.group(2)}"
    elif url.startswith("/"):
        url = "file://" + url
    return f"git+{url}@{source.rev}"


def github_action(source: Source) -> str | None:
    """`owner/repo` of a GitHub source, whose ci-templates/github is then the action."""
    match = _GITHUB.match(source.repo or "")
    return match.group(1) if match and source.rev else None


def pin_github_workflow(text: str, source: Source) -> str:
    slug = github_action(source)
    if slug is None:
        return text
    old = f"uses: dagship/dagship/ci-templates/github@v{__version__}"
    new = f"uses: {slug}/ci-templates/github@{source.rev}"
    comment = f"  # {source.label}" if source.label and source.label != source.rev else ""
    if re.fullmatch(r"[0-9a-f]{40}", source.rev or ""):
        text = text.replace(f"{old}  # zizmor: ignore[unpinned-uses]", new + comment)
    return text.replace(old, new)


def pin_gitlab_include(text: str, source: Source) -> str:
    requirement = pip_requirement(source)
    if requirement is None:
        return text
    old = f'DAGSHIP_SOURCE: "git+{HOME}.git@v{__version__}"'
    return text.replace(old, f'DAGSHIP_SOURCE: "{requirement}"')
