"""Which project of the target a workflow named on the command line is deployed in.

With `projects:` the commands that name deployed workflows (`run`, `deploy --smoke`,
`pull --workflow`, `rollback --workflow`) look a name up in every project of the target: it
must be deployed in exactly one. `finance/report` (a project key, `/`, the name) says which
project when several have one of that name; a part before the `/` that is no project key is
part of the name (DolphinScheduler allows `/` in workflow names).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from deployer.client.api import DSClient
from deployer.core import errors
from deployer.core.config import Config, Target
from deployer.core.projects import is_preview
from deployer.core.units import Unit, is_templated, units


@dataclass(frozen=True)
class Located:
    key: str  # the project key ("" without `projects:`)
    project: str  # its project on the target
    project_code: int
    name: str  # the workflow's own name
    dag: Mapping[str, Any]  # its DagData

    @property
    def shown(self) -> str:
        """The name as reports show it: `key/name` with `projects:`."""
        return f"{self.key}/{self.name}" if self.key else self.name


def target_projects(config: Config, target: Target, env: Mapping[str, str]) -> list[Unit]:
    """The target's projects, each as a unit (no files are read)."""
    from deployer.commands.across import preview_branch

    branch = preview_branch(target, env, config.root) if is_preview(target.project) else None
    return units(config, target, branch)


def projects_of(config: Config, target: Target, env: Mapping[str, str]) -> dict[str, str]:
    """Project key -> its project on `target` ({"": project} without `projects:`)."""
    if not is_templated(config):
        return {"": target.project}
    return {u.key or "": u.target.project for u in target_projects(config, target, env)}


def locate(client: DSClient, target: Target, projects: Mapping[str, str],
           names: tuple[str, ...]) -> list[Located]:
    """Each name's deployed workflow, in the one project that has it (module docstring)."""
    codes = {str(p.get("name")): int(p["code"]) for p in client.list_projects()}
    out = []
    for name in dict.fromkeys(names):
        key, sep, rest = name.partition("/")
        if sep and key and key in projects:  # `finance/report`: that project only
            where, wanted = {key: projects[key]}, rest
        else:
            where, wanted = dict(projects), name
        if list(where) == [""] and projects[""] not in codes:
            raise errors.UsageError(f"target {target.name!r}: project {projects['']!r} does "
                                    "not exist; deploy first")
        hits = [Located(k, p, codes[p], wanted, dag) for k, p in where.items()
                if p in codes and (dag := client.get_workflow(codes[p], wanted)) is not None]
        if not hits:
            raise errors.UsageError(_not_deployed(name, wanted, where, projects, codes, target))
        if len(hits) > 1:
            shown = ", ".join(f"{h.key} ({h.project})" for h in hits)
            raise errors.UsageError(
                f"workflow {name!r} is deployed in {len(hits)} projects of target "
                f"{target.name!r}: {shown}; say which as KEY/NAME, e.g. {hits[0].key}/{name}")
        out.append(hits[0])
    return out


def _not_deployed(name: str, wanted: str, where: Mapping[str, str],
                  projects: Mapping[str, str], codes: Mapping[str, int], target: Target) -> str:
    if list(projects) == [""]:
        return (f"workflow {name!r} is not deployed in project {projects['']!r} of target "
                f"{target.name!r}")
    if len(where) == 1:
        (k, p), = where.items()
        missing = "" if p in codes else " (the project does not exist; deploy first)"
        return (f"workflow {wanted!r} is not deployed in project {k} ({p}) of target "
                f"{target.name!r}{missing}")
    key = name.partition("/")[0] if "/" in name else None
    hint = (f"; {key!r} is no project key of dagship.yaml (keys: {', '.join(projects)})"
            if key else "")
    return (f"workflow {name!r} is deployed in none of the projects of target "
            f"{target.name!r} ({', '.join(f'{k} ({p})' for k, p in where.items())}){hint}")


def units_naming(config: Config, target: Target, env: Mapping[str, str],
                 names: tuple[str, ...], *, color: bool) -> list[tuple[Unit, tuple[str, ...]]]:
    """The projects of `target` that hold `names`, each with its own names in it (in the
    config's order of projects): what `pull --workflow` and `rollback --workflow` run on."""
    from deployer.engine.session import session_for

    found = target_projects(config, target, env)
    session = session_for(config, target, env, color=color)
    with session.client() as c, session.target_named():
        located = locate(c, target, {u.key or "": u.target.project for u in found}, names)
    out = []
    for unit in found:
        mine = tuple(f.name for f in located if f.key == (unit.key or ""))
        if mine:
            out.append((unit, mine))
    return out
