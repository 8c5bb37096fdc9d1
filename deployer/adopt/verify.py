"""Reading pulled files back as `deploy` would: which workflows a repository already states
exactly (pull leaves those files as written), and which fields a pulled file would still
change on the target (named as warnings)."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from deployer.adopt.context import Loss
from deployer.core.config import Config, Target
from deployer.definitions.repo import discover, load_repository
from deployer.engine import canonical
from deployer.engine.plan import diff, schedule_difference, schedule_online
from deployer.engine.translate import UnresolvedReference, placeholder_codes, translate
from deployer.yaml.loader import load
from deployer.yaml.nodes import YamlSyntaxError


@dataclass
class Repo:
    """What the repository already holds, for a pull into it."""
    files: dict[str, Path] = field(default_factory=dict)  # workflow name -> its YAML file
    matching: set[str] = field(default_factory=set)  # names whose file already says it all
    taken: list[str] = field(default_factory=list)  # file stems a new file must not reuse


def repo_state(config: Config, target: Target, env: Mapping[str, str], resolver: Any,
               dags: Sequence[Mapping[str, Any]],
               schedules: Mapping[int, Mapping[str, Any]]) -> Repo:
    """A workflow whose file already translates to what the target has is left as written,
    with its `$VAR{}`, `$FILE{}` and `$WORKFLOW{}`; the others are (re)written."""
    found = discover(config)
    repo = Repo(taken=[p.stem for p in found], files=_files_by_name(found))
    loaded = load_repository(config, target=target, env=env)
    by_name = {str(d["workflowDefinition"]["name"]): d for d in dags}
    for spec in loaded.workflows:
        path = Path(spec.path)
        if path.suffix not in (".yaml", ".yml"):
            continue
        repo.files[spec.name] = path
        dag = by_name.get(spec.name)
        if dag is not None and not _differences(spec, resolver, by_name, schedules):
            repo.matching.add(spec.name)
    return repo


def _files_by_name(paths: Sequence[Path]) -> dict[str, Path]:
    """Workflow name -> YAML file, as written (a file with errors, or with an `$ENV{}` unset
    here, is still that workflow's file: pull rewrites it rather than adding a twin)."""
    out: dict[str, Path] = {}
    for path in paths:
        if path.suffix not in (".yaml", ".yml"):
            continue
        try:
            tree, _dups = load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, YamlSyntaxError):
            continue
        wf = tree.get("workflow") if isinstance(tree, dict) else None
        name = wf.get("name") if isinstance(wf, dict) else None
        if isinstance(name, str):
            out.setdefault(name, path)
    return out


def _differences(spec: Any, resolver: Any, by_name: Mapping[str, Mapping[str, Any]],
                 schedules: Mapping[int, Mapping[str, Any]]) -> list[str] | None:
    """How a loaded file differs from the remote workflow of its name, in words ([]: it
    does not); None when its references do not resolve on the target."""
    dag = by_name[spec.name]
    try:
        tr = translate(spec, resolver, dag,
                       placeholder_codes(), "nogit")
    except UnresolvedReference:
        return None
    remote = canonical.from_dag(dag)
    out: list[str] = []
    if canonical.digest(remote) != tr.digest:
        changes = diff(tr.canon, remote)
        for name in changes.changed:
            want, have = tr.canon["tasks"][name], remote["tasks"][name]
            keys = sorted(k for k in set(want) | set(have) if want.get(k) != have.get(k))
            for key in keys:
                if key == "taskParams":
                    wp, hp = want.get(key) or {}, have.get(key) or {}
                    keys_p = sorted(k for k in set(wp) | set(hp) if wp.get(k) != hp.get(k))
                    out += [f"task `{name}`: taskParams.{k}" for k in keys_p]
                else:
                    out.append(f"task `{name}`: {key}")
        out += [f"task `{n}` added" for n in changes.added]
        out += [f"task `{n}` missing" for n in changes.removed]
        out += ["dependencies"] if changes.edges else []
        out += changes.fields
    wf = dag["workflowDefinition"]
    if str(wf.get("releaseState") or "OFFLINE") != spec.release_state:
        out.append("release state")
    if schedule_difference(tr.schedule, schedules.get(int(wf["code"])),
                           schedule_online(spec)) is not None:
        out.append("schedule")
    return out


def verify(config: Config, target: Target, env: Mapping[str, str], resolver: Any,
           dags: Sequence[Mapping[str, Any]], schedules: Mapping[int, Mapping[str, Any]],
            files: Mapping[Path, str], losses: list[Loss]) -> None:
    """Read the pulled files back as `deploy` would and name every field that would still
    change: what `reverse` could not say and did not know it could not (an absent key that
    the dialect always writes, say). Runs on a copy, so nothing half-checked is left behind."""


    by_name = {str(d["workflowDefinition"]["name"]): d for d in dags}
    named = {(loss.workflow, loss.where) for loss in losses}  # said already, more precisely
    with tempfile.TemporaryDirectory(prefix="dagship-pull-") as tmp:
        root = Path(tmp)
        for folder in config.workflows:
            src = config.root / folder
            if src.is_dir():
                shutil.copytree(src, root / folder, dirs_exist_ok=True)
        moved = {}
        for path, text in files.items():
            try:
                rel = path.resolve().relative_to(config.root.resolve())
            except ValueError:
                return  # --out outside the repository: nothing to read it back with
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text(text, encoding="utf-8")
            moved[(root / rel).resolve()] = path
        copy = config._replace(root=root, path=None)
        loaded = load_repository(copy, target=target, env=env)
        for spec in loaded.workflows:
            if Path(spec.path).resolve() not in moved or spec.name not in by_name:
                continue
            for what in _differences(spec, resolver, by_name, schedules) or []:
                task = what.split(":", 1)[0]  # "task `q`" of "task `q`: taskParams.x"
                if not any(w == spec.name and where.split(":", 1)[0] == task
                           for w, where in named):
                    losses.append(Loss(spec.name, what, "the YAML dialect writes it "
                                       "differently"))
