"""A target rendered for each project it deploys: what every command that talks to a target
runs once per project.

A unit is a plain one-project config (the project's folders, its target's `project:`
rendered), so every command works on it as it works on a one-project repository; a
config without `projects:` and without `{branch}` is one unit, the config itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from deployer.core.config import Config, Target
from deployer.core.errors import ConfigError
from deployer.core.projects import is_preview, render


@dataclass(frozen=True)
class Unit:
    key: str | None  # the config's project key; None: the single project
    config: Config
    target: Target


def is_templated(config: Config) -> bool:
    return bool(config.projects) or any(is_preview(t.project) for t in config.targets.values())


def names_for(config: Config, target: Target, branch: str | None) -> dict[str, str]:
    """Project key -> project name on `target` (for `branch` when it is a preview)."""
    if is_preview(target.project) and not branch:
        raise ConfigError(
            f"target {target.name!r} is a preview target (`{{branch}}` in "
            f"targets.{target.name}.project) and the branch is unknown: run it on the "
            "branch, or set DAGSHIP_BRANCH")
    keys = list(config.projects) or [""]
    return {k: render(target.project, k, branch) for k in keys}


def units(config: Config, target: Target, branch: str | None,
          order: list[str] | None = None) -> list[Unit]:
    """One unit per project of `target`, in `order` (project keys) when given."""
    if not is_templated(config):
        return [Unit(None, config, target)]
    names = names_for(config, target, branch)
    preview = branch if is_preview(target.project) else None
    if not config.projects:
        rendered = target._replace(project=names[""], preview_branch=preview)
        return [Unit(None, _with(config, rendered, config.workflows), rendered)]
    out = []
    for key in order or list(config.projects):
        rendered = target._replace(project=names[key], aliases=MappingProxyType(names),
                                   preview_branch=preview)
        out.append(Unit(key, _with(config, rendered, config.projects[key])._replace(
            project_key=key), rendered))
    return out


def _with(config: Config, target: Target, folders: tuple[str, ...]) -> Config:
    # only the rendered target: the unit is a config no longer templated
    return config._replace(workflows=folders, projects=MappingProxyType({}),
                           targets=MappingProxyType({target.name: target}))


def project_of(config: Config, path: Path) -> str | None:
    """The project key whose folder holds `path` (the longest such folder wins)."""
    best: tuple[int, str] | None = None
    resolved = path.resolve()
    for key, folders in config.projects.items():
        for folder in folders:
            base = (config.root / folder).resolve()
            if (resolved == base or base in resolved.parents) and \
                    (best is None or len(str(base)) > best[0]):
                best = (len(str(base)), key)
    return best[1] if best else None


def with_siblings(unit: Unit, workflows: Mapping[str, frozenset[str]]) -> Unit:
    """`workflows`: project name -> the workflow names Git defines there."""
    target = unit.target._replace(siblings=MappingProxyType(dict(workflows)))
    return Unit(unit.key, _with(unit.config, target, unit.config.workflows), target)
