"""`dagship diff [BASE] [HEAD]`: the plain function behind the click command.

BASE defaults to the merge base of HEAD with the branch a merge request targets (GitHub's
GITHUB_BASE_REF, GitLab's CI_MERGE_REQUEST_TARGET_BRANCH_NAME, Jenkins' CHANGE_TARGET),
else with the first branch `--target T` deploys from; HEAD defaults to the working tree
as it is on disk. No scheduler is contacted.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from deployer.commands.across import across, per_project
from deployer.core import errors, git
from deployer.core.config import Config
from deployer.core.findings import has_errors
from deployer.definitions.model import WorkflowSpec
from deployer.definitions.repo import load_repository
from deployer.definitions.resources import compare_resources
from deployer.definitions.snapshot import Snapshot, snapshot
from deployer.diff import report as diffreport
from deployer.diff.compare import compare
from deployer.output.console import echo, write_report
from deployer.output.findings import format_text

# Which branch a merge/pull request will merge into, by CI.
TARGET_BRANCH_VARS = ("GITHUB_BASE_REF", "CI_MERGE_REQUEST_TARGET_BRANCH_NAME", "CHANGE_TARGET")


def parse_renames(pairs: Sequence[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs:
        old, sep, new = pair.partition("=")
        if not sep or not old.strip() or not new.strip():
            raise errors.UsageError(f"--rename {pair!r}: expected OLD=NEW (workflow names)")
        if old.strip() in out:
            raise errors.UsageError(f"--rename: {old.strip()!r} is paired twice")
        out[old.strip()] = new.strip()
    return out


def _branch_ref(root: Path, branch: str) -> str:
    """The local branch, else its remote-tracking one (CI clones often have only that)."""
    for ref in (branch, f"origin/{branch}"):
        try:
            return git.resolve_commit(root, ref)
        except errors.GitMissing:
            raise  # not a missing branch: say what is missing
        except errors.UsageError:
            continue
    raise errors.UsageError(f"the base branch {branch!r} is not in this clone (neither "
                            f"{branch} nor origin/{branch}); fetch it (CI: a full-depth "
                            "checkout) or name BASE")


def default_base(config: Config, target: str | None, env: Mapping[str, str]) -> tuple[str, str]:
    """(commit, label) of the merge base of HEAD with the branch changes will merge into."""
    branch = next((env[v] for v in TARGET_BRANCH_VARS if env.get(v)), None)
    if branch is None and target is not None:
        branch = next((b for b in config.target(target).branches
                       if not any(ch in b for ch in "*?[")), None)
    if branch is None:
        raise errors.UsageError(
            "no BASE to compare with: name it (e.g. `dagship diff origin/main`), or give "
            "--target T to compare with the merge base of the branch T deploys from")
    commit = git.merge_base(config.root, "HEAD", _branch_ref(config.root, branch))
    return commit, f"merge base with {branch} ({commit[:7]})"


def _label(snap: Snapshot) -> str:
    if snap.commit is None or snap.label.endswith(f"({snap.commit[:7]})"):
        return snap.label
    return f"{snap.label} ({snap.commit[:7]})"


def load_side(snap: Snapshot, color: bool) -> list[WorkflowSpec]:
    """Every workflow of one side, paths relative to its root; errors stop the diff."""
    loaded = load_repository(snap.config, target=None)
    bad = [f for f in loaded.findings if f.severity == "error"]
    if has_errors(bad):
        echo(format_text(bad, color=color), err=True)
        raise errors.ValidationFailed(f"{len(bad)} error(s) in workflow files at "
                                      f"{_label(snap)}; cannot compare it")
    root = snap.config.root
    return [dataclasses.replace(s, path=_relative(s.path, root)) for s in loaded.workflows]


def _relative(path: Path, root: Path) -> Path:
    try:
        return path.relative_to(root)
    except ValueError:
        return path


@dataclass(frozen=True, kw_only=True)
class DiffOptions:
    base: str | None = None  # None: the merge base with the branch changes merge into
    head: str | None = None  # None: the working tree
    target: str | None = None  # without `base`: compare with the branch this target deploys
    fmt: str = "text"  # text | json | markdown: what is printed
    json_path: str | None = None
    markdown_path: str | None = None
    renames: tuple[str, ...] = ()  # OLD=NEW pairs compared as one renamed workflow
    exit_code: bool = False  # exit 1 when any workflow differs
    color: bool = False


def diff_command(config: Config, options: DiffOptions,
                 env: Mapping[str, str] | None = None) -> int:
    if per_project(config):  # several projects, or a preview: once per project
        return across(config, options, os.environ if env is None else env, diff_command)
    env = os.environ if env is None else env
    git.require("read the workflows of Git refs")
    paint = options.color
    pairs = parse_renames(options.renames)
    base, base_label = options.base, None
    if base is None:
        base, base_label = default_base(config, options.target, env)
    with snapshot(config, base, base_label) as old, snapshot(config, options.head) as new:
        result_old, result_new = load_side(old, paint), load_side(new, paint)
        try:
            result = compare(result_old, result_new, base_label=_label(old),
                             head_label=_label(new), renames=pairs)
        except ValueError as exc:
            raise errors.UsageError(str(exc)) from exc
        result.resources = compare_resources(old.config, new.config)
    render = {"text": lambda: diffreport.to_text(result, color=paint),
              "json": lambda: diffreport.to_json(result).rstrip("\n"),
              "markdown": lambda: diffreport.to_markdown(result).rstrip("\n")}
    echo(render[options.fmt]())
    if options.json_path:
        write_report(options.json_path, diffreport.to_json(result))
    if options.markdown_path:
        write_report(options.markdown_path, diffreport.to_markdown(result) + "\n")
    differ = result.workflows or result.resources
    return errors.EXIT_FINDINGS if options.exit_code and differ else errors.EXIT_OK
