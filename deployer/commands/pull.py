"""`dagship pull`: the target's workflows into YAML files of the repository.

Codes become names through `deployer.adopt.reverse`, files are written by
`deployer.adopt.files` (the one writer), so the same remote gives byte-identical files and a
pulled file deployed back changes nothing; the pulled files are read back as `deploy` would
(`deployer.adopt.verify`) and whatever a deploy would still change is named. A new workflow
gets `<name>.yaml` in the first workflows folder (or `--out`).
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from deployer.adopt.context import Loss, Names
from deployer.adopt.files import Written, render_workflows, report, write_all
from deployer.adopt.verify import Repo, repo_state, verify
from deployer.client import DSClient
from deployer.commands.across import across, per_project
from deployer.commands.locate import units_naming
from deployer.core import errors
from deployer.core.config import Config, Target
from deployer.engine.session import SessionOptions, session_for, setup_logging
from deployer.engine.translate import Resolver
from deployer.output.console import echo


class _Lookups:
    """Fills `Names` from the target: own project at once, foreign projects when asked."""

    def __init__(self, client: Any, names: Names) -> None:
        self.client = client
        self.names = names
        self._projects: dict[int, str] | None = None

    def fetch(self, code: int) -> None:
        if self._projects is None:
            self._projects = {int(p["code"]): str(p["name"])
                              for p in self.client.list_projects()}
        name = self._projects.get(code)
        if name is None:
            return
        self.names.projects[code] = name
        for dag in self.client.list_workflows(code):
            self.names.add_dag(dag, name)


def _needs(dags: Sequence[Mapping[str, Any]], schedules: Mapping[int, Mapping[str, Any]],
           ) -> tuple[bool, bool]:
    ds = env = False
    for dag in dags:
        for t in dag.get("taskDefinitionList") or []:
            params = t.get("taskParams")
            text = params if isinstance(params, str) else json.dumps(params or {})
            ds = ds or any(f'"{k}"' in text for k in ("datasource", "dataSource", "dataTarget"))
            env = env or t.get("environmentCode") not in (None, -1, 0)
    env = env or any(s.get("environmentCode") not in (None, -1, 0) for s in schedules.values())
    return ds, env


@dataclass(frozen=True, kw_only=True)
class PullOptions(SessionOptions):
    workflows: tuple[str, ...] = ()  # only these (default: every workflow of the project)
    side_files: bool = False  # long scripts into files beside the YAML, as $FILE{}
    out_dir: str | None = None  # default: each workflow's own file, else workflows[0]


def pull_command(config: Config, options: PullOptions,
                 env: Mapping[str, str] | None = None) -> int:
    if per_project(config) and options.workflows and options.target is not None:
        # only the projects that hold the named workflows, each pulling its own
        env = os.environ if env is None else env
        setup_logging(options.verbose)
        codes = []
        for unit, names in units_naming(config, config.target(options.target), env,
                                        options.workflows, color=options.color):
            if unit.key is not None:
                echo(f"\n=== project {unit.key}: {unit.target.project} ===")
            codes.append(pull_command(unit.config, dataclasses.replace(
                options, target=unit.target.name, workflows=names), env))
        return max(codes, default=errors.EXIT_OK)
    if per_project(config):  # several projects, or a preview: once per project
        return across(config, options, os.environ if env is None else env, pull_command)
    env = os.environ if env is None else env
    if options.target is None:
        raise errors.UsageError("pull reads one target: name it with --target")
    setup_logging(options.verbose)
    session = session_for(config, config.target(options.target), env, color=options.color)
    client = session.client()
    try:
        with session.target_named():
            files, losses, kept = _pull(client, config, session.target, env, options)
    finally:
        client.close()
    out = Written(losses=losses)
    write_all(files, out)
    report(out, config.root, "pulled", color=options.color, kept=kept)
    return errors.EXIT_OK


def _pull(client: DSClient, config: Config, target: Target, env: Mapping[str, str],
          options: PullOptions) -> tuple[dict[Path, str], list[Loss], int]:
    only, out_dir = options.workflows, options.out_dir
    project = target.project
    found = client.find_project(project)
    if found is None:
        raise errors.UsageError(f"project {project!r} not found on the target")
    code = int(found["code"])
    dags = all_dags = list(client.list_workflows(code))
    schedules = {int(s.get("workflowDefinitionCode") or 0): s
                 for s in client.list_schedules(code)}
    names = Names(project=project, projects={code: None})
    for dag in dags:
        names.add_dag(dag, None)
    names.fetch_project = _Lookups(client, names).fetch
    if only:
        have = {str(d["workflowDefinition"]["name"]) for d in dags}
        missing = sorted(set(only) - have)
        if missing:
            raise errors.UsageError(f"no workflow named {', '.join(map(repr, missing))} in "
                                    f"project {project!r}")
        dags = [d for d in dags if str(d["workflowDefinition"]["name"]) in set(only)]
    need_ds, need_env = _needs(dags, schedules)
    if need_ds:
        names.datasources = {int(d["id"]): (str(d["name"]), str(d.get("type")))
                             for d in client.list_datasources()}
    if need_env:
        names.environments = {int(e["code"]): str(e["name"]) for e in client.list_environments()}
    folder = Path(out_dir) if out_dir else config.root / config.workflows[0]
    # one resolver for every read-back: each list (datasources, ...) is fetched once
    resolver = Resolver(client, project, code, {str(d["workflowDefinition"]["name"]): d
                                                for d in all_dags})
    repo = Repo() if out_dir else repo_state(config, target, env, resolver, all_dags,
                                             schedules)
    files, losses = render_workflows(dags, names, schedules, folder, repo,
                                     options.side_files)
    verify(config, target, env, resolver, all_dags, schedules, files, losses)
    return files, losses, len(repo.matching & {str(d["workflowDefinition"]["name"])
                                                for d in dags})
