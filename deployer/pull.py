"""`dagship pull`: remote workflows into YAML files (and the writing `convert` shares).

Both go through `deployer.reverse` (codes -> names, taskParams -> dialect keys) and
`deployer.yamlwrite` (the one writer), so the same remote gives byte-identical files and a
pulled file deployed back changes nothing. A workflow the repository already defines is
rewritten in its own file, unless that file already says what the target has (then it is
left exactly as written, substitutions included); a new one gets `<name>.yaml` in the first
workflows folder, never over another file.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from deployer import errors
from deployer.commands import echo
from deployer.config import Config, Target, load_config
from deployer.pullcheck import Repo, repo_state, verify
from deployer.reverse import Loss, Names, file_stem, reverse

# Which dialect key holds a script, and the side file's extension (`--side-files`).
SCRIPT_KEYS = {"Shell": ("command", "sh"), "Python": ("definition", "py"),
               "Sql": ("sql", "sql"), "DataX": ("sql", "sql")}
SIDE_FILE_MIN_LINES = 10  # shorter scripts read better inline


@dataclass
class Written:
    changed: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)
    losses: list[Loss] = field(default_factory=list)
    templated: list[Path] = field(default_factory=list)  # rewritten files that had $VAR{}...


_TOKENS = ("$VAR{", "$FILE{", "$ENV{", "${CONFIG.", "$WORKFLOW{")


def _side_files(doc: dict[str, Any], stem: str, folder: Path,
                files: dict[Path, str]) -> None:
    """Move long scripts to `<stem>/<task>.<ext>` next to the YAML file, as `$FILE{}`."""
    taken: list[str] = []
    for task in doc["tasks"]:
        key_ext = SCRIPT_KEYS.get(str(task.get("task_type")))
        if key_ext is None or not isinstance(task.get(key_ext[0]), str):
            continue
        key, ext = key_ext
        script = task[key]
        if script.count("\n") + 1 < SIDE_FILE_MIN_LINES:
            continue
        name = file_stem(str(task["name"]), taken)
        taken.append(name)
        rel = f"{stem}/{name}.{ext}"
        files[folder / rel] = script
        task[key] = f'$FILE{{"{rel}"}}'


def write_all(files: Mapping[Path, str], out: Written) -> None:
    for path in sorted(files):
        text = files[path]
        try:
            old = path.read_text(encoding="utf-8") if path.is_file() else None
        except (OSError, UnicodeDecodeError):
            old = None
        if old == text:
            out.unchanged.append(path)
            continue
        if old is not None and any(token in old for token in _TOKENS):
            out.templated.append(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(text.encode("utf-8"))
        except OSError as exc:
            raise errors.UsageError(f"{path}: cannot write: {exc.strerror}") from exc
        out.changed.append(path)


def render_workflows(dags: Sequence[Mapping[str, Any]], names: Names,
                     schedules: Mapping[int, Mapping[str, Any]], folder: Path, repo: Repo,
                     side_files: bool) -> tuple[dict[Path, str], list[Loss]]:
    """Every file to write (YAML and side files), by path; pure apart from `names` lookups."""
    from deployer.yamlwrite import render

    files: dict[Path, str] = {}
    losses: list[Loss] = []
    taken = list(repo.taken)
    for dag in sorted(dags, key=lambda d: str(d["workflowDefinition"]["name"])):
        wf = dag["workflowDefinition"]
        name = str(wf["name"])
        if name in repo.matching:
            continue
        schedule = schedules.get(int(wf.get("code") or 0))
        doc, lost = reverse(dag, names, schedule)
        losses += lost
        path = repo.files.get(name)
        if path is None:
            stem = file_stem(name, taken)
            taken.append(stem)
            path = folder / f"{stem}.yaml"
        if side_files:
            _side_files(doc, path.stem, path.parent, files)
        files[path] = render(doc)
    return files, losses


def report(out: Written, root: Path, verb: str, kept: int = 0) -> None:
    for path in out.changed:
        echo(f"{verb} {_rel(path, root)}")
    for loss in out.losses:
        echo(f"dagship: warning: {loss}; a deploy of the file would change it", err=True)
    for path in out.templated:
        echo(f"dagship: warning: {_rel(path, root)} was rewritten with the target's values: "
              "its substitutions ($VAR, $FILE, $ENV, ${CONFIG}, $WORKFLOW) are gone; review "
              "the diff before committing", err=True)
    also = f", {kept} kept as written (they already match)" if kept else ""
    echo(f"dagship: {len(out.changed)} file(s) written, {len(out.unchanged)} unchanged{also}")


def _rel(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


# --- pull ---------------------------------------------------------------------------------


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


def pull_command(*, target: str, workflows: Sequence[str], side_files: bool,
                 out_dir: str | None, verbose: bool, config_path: str | None,
                 env: Mapping[str, str] | None = None) -> int:
    from deployer.commands import new_client, setup_logging, target_named, target_token

    env = os.environ if env is None else env
    setup_logging(verbose)
    config = load_config(config_path)
    tgt = config.target(target)
    client = new_client(tgt, target_token(tgt, env))
    try:
        with target_named(tgt):
            files, losses, kept = _pull(client, config, tgt, env, workflows, side_files,
                                        out_dir)
    finally:
        client.close()
    out = Written(losses=losses)
    write_all(files, out)
    report(out, config.root, "pulled", kept)
    return errors.EXIT_OK


def _pull(client: Any, config: Config, target: Target, env: Mapping[str, str],
          only: Sequence[str], side_files: bool,
          out_dir: str | None) -> tuple[dict[Path, str], list[Loss], int]:
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
    from deployer.translate import Resolver

    folder = Path(out_dir) if out_dir else config.root / config.workflows[0]
    # one resolver for every read-back: each list (datasources, ...) is fetched once
    resolver = Resolver(client, project, code, {str(d["workflowDefinition"]["name"]): d
                                                for d in all_dags})
    repo = Repo() if out_dir else repo_state(config, target, env, resolver, all_dags,
                                             schedules)
    files, losses = render_workflows(dags, names, schedules, folder, repo, side_files)
    verify(config, target, env, resolver, all_dags, schedules, files, losses)
    return files, losses, len(repo.matching & {str(d["workflowDefinition"]["name"])
                                                for d in dags})
