"""Run a command that talks to a target once per project of the repository.

With `projects:` (or a `{branch}` preview target) each project is a unit, a plain
one-project config (deployer.core.units), and the command runs on each unit in turn, under
a heading naming the project: one plan, grouped by project. Before anything is sent, every
project's files are loaded and checked, so an error in any project sends nothing. Units go
in the order of their cross-project references (the project a Dependent task waits on
first), so a reference resolves to a workflow that exists; a plan shows a workflow that
another project's deploy is still to create as pending. Reports (`--json`, `--markdown`)
hold every project: JSON as `{"target": ..., "projects": [...]}`, Markdown a section each.
"""

from __future__ import annotations

import dataclasses
import json
import tempfile
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from pathlib import Path
from typing import Any, TypeVar

from deployer.core import errors
from deployer.core.config import Config, Target
from deployer.core.findings import has_errors
from deployer.core.preview import request_branch
from deployer.core.projects import is_preview
from deployer.core.targets import branch_being_built, lists, select_target
from deployer.core.units import Unit, is_templated, units, with_siblings
from deployer.definitions.model import ForeignTaskRef, ProjectRef, WorkflowRef
from deployer.definitions.repo import load_repository
from deployer.engine.translate import iter_refs
from deployer.output.console import echo, write_report
from deployer.output.findings import format_text

Opts = TypeVar("Opts")
# set while `across` runs a command: a command it runs on the whole config (no target for
# this branch) must run as it is, not come back here
_INSIDE: ContextVar[bool] = ContextVar("dagship_across", default=False)
_REPORTS = ("json_path", "markdown_path")


def preview_branch(target: Target, env: Mapping[str, str], root: Path) -> str:
    """The branch a preview target deploys for: the pull/merge request's, else the one
    being built; refused when the target lists branches and this is none of them."""
    branch = request_branch(env) or branch_being_built(env, root)
    if not branch:
        raise errors.UsageError(
            f"target {target.name!r} makes a project per branch and cannot tell which branch "
            "this is (no CI branch variable, not a checkout on a branch); set DAGSHIP_BRANCH")
    if target.branches and not lists(target, branch):
        raise errors.DeployRefused(
            f"target {target.name!r} makes previews only of branches "
            f"{', '.join(target.branches)}; this is branch {branch!r}")
    return branch


def target_units(config: Config, target: Target, env: Mapping[str, str],
                 branch: str | None = None) -> list[Unit]:
    """Every project of `target`, checked and ordered (module docstring)."""
    if is_preview(target.project) and branch is None:
        branch = preview_branch(target, env, config.root)
    found = units(config, target, branch)
    if len(found) == 1 and found[0].key is None:
        return found
    return _checked(found, env)


def _checked(found: list[Unit], env: Mapping[str, str]) -> list[Unit]:
    names: dict[str, frozenset[str]] = {}
    needs: dict[str, set[str]] = {}
    problems = []
    for unit in found:
        loaded = load_repository(unit.config, target=unit.target, env=env)
        problems += loaded.findings
        names[unit.target.project] = frozenset(s.name for s in loaded.workflows)
        needs[unit.target.project] = {
            p for spec in loaded.workflows for task in spec.tasks
            for ref in iter_refs(task.params) if (p := _project_named(ref))}
    if problems:
        echo(format_text(problems), err=True)
    if has_errors(problems):
        n = sum(1 for f in problems if f.severity == "error")
        raise errors.ValidationFailed(f"{n} error(s) in workflow files; nothing was sent")
    ordered: list[Unit] = []
    left = list(found)
    while left:  # upstream projects first; a cycle between projects keeps the config order
        ready = [u for u in left if not (needs[u.target.project] & {
            v.target.project for v in left if v is not u})] or left[:1]
        ordered.append(ready[0])
        left.remove(ready[0])
    return [with_siblings(u, {p: n for p, n in names.items() if p != u.target.project})
            for u in ordered]


def _project_named(ref: Any) -> str | None:
    if isinstance(ref, ProjectRef):
        return ref.name
    if isinstance(ref, WorkflowRef | ForeignTaskRef):
        return ref.project
    return None


def per_project(config: Config) -> bool:
    """Whether a command must go through `across` (and is not already inside it)."""
    return is_templated(config) and not _INSIDE.get()


def _inside(run: Callable[[Config, Opts, Mapping[str, str]], int], config: Config,
            options: Opts, env: Mapping[str, str]) -> int:
    token = _INSIDE.set(True)
    try:
        return run(config, options, env)
    finally:
        _INSIDE.reset(token)


def across(config: Config, options: Opts, env: Mapping[str, str],
           run: Callable[[Config, Opts, Mapping[str, str]], int], *,
           merge_request: bool = False) -> int:
    """`run(config, options, env)` once per project (module docstring)."""
    if not is_templated(config):
        return run(config, options, env)
    name = getattr(options, "target", None)
    selection = select_target(config, name, env, merge_request=merge_request)
    if selection.target is None:  # it says why nothing is deployed, or needs no target
        return _inside(run, config, options, env)
    found = target_units(config, selection.target, env)
    wanted = {f: getattr(options, f) for f in _REPORTS if getattr(options, f, None)}
    codes: list[int] = []
    with tempfile.TemporaryDirectory(prefix="dagship-") as tmp:
        parts: list[tuple[Unit, dict[str, Path]]] = []
        try:
            for i, unit in enumerate(found):
                paths = {f: Path(tmp, f"{i}.{f}") for f in wanted}
                parts.append((unit, paths))
                if unit.key is not None:
                    echo(f"\n=== project {unit.key}: {unit.target.project} ===")
                changed = dataclasses.replace(  # type: ignore[type-var]
                    options, target=unit.target.name,
                    **{f: str(p) for f, p in paths.items()})
                codes.append(_inside(run, unit.config, changed, env))
        finally:
            _merge(selection.target.name, parts, wanted)
    failed = [c for c in codes if c not in (errors.EXIT_OK, errors.EXIT_CHANGES)]
    return max(failed) if failed else max(codes, default=errors.EXIT_OK)


def _merge(target: str, parts: list[tuple[Unit, dict[str, Path]]],
           wanted: Mapping[str, str]) -> None:
    for field, dest in wanted.items():
        written = [(u, p[field]) for u, p in parts if p[field].is_file()]
        if not written:
            continue
        if len(parts) == 1 and parts[0][0].key is None:  # one project (a preview): as it is
            write_report(dest, written[0][1].read_text(encoding="utf-8"))
            continue
        if field == "json_path":
            doc: dict[str, Any] = {"target": target, "projects": [
                {"key": u.key, "project": u.target.project,
                 "report": json.loads(p.read_text(encoding="utf-8"))} for u, p in written]}
            write_report(dest, json.dumps(doc, indent=2) + "\n")
        else:
            write_report(dest, "\n".join(
                f"## Project {u.key or u.target.project}: `{u.target.project}`\n\n"
                + p.read_text(encoding="utf-8") for u, p in written))
