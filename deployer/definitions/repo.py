"""discover() and load_repository(): the one entry point for lint and deploy.

Every discovered file is read once and parsed once. Cross-file checks (unique workflow
names, sub-workflow and dependent references, `$WORKFLOW` targets) always see the whole
repository; `only` narrows the findings reported, not what is checked.
Files named as `$FILE{...}` targets are payloads, not workflows, wherever they live.
"""

from __future__ import annotations

import gc
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from deployer.core.config import Config, Target, display_path
from deployer.core.findings import Finding
from deployer.core.wording import hint
from deployer.definitions import subst
from deployer.definitions._collect import Collector
from deployer.definitions.graph import find_cycle
from deployer.definitions.model import WorkflowSpec
from deployer.definitions.pyds import PydsReader
from deployer.definitions.resources import check_references, local_resources
from deployer.definitions.versions import check_targets
from deployer.yaml.loader import load
from deployer.yaml.nodes import Mark, MDict, YamlSyntaxError

_EXTS = (".yaml", ".yml", ".json")
# a `$FILE{...}` that starts a value (pyds expands no other): after `key:`, `- `, `[`, `,`
_FILE_TOKEN = re.compile(r'\$FILE\{"([^"]+)"\}')


@dataclass
class LoadResult:
    workflows: list[WorkflowSpec]  # files without error findings
    findings: list[Finding]  # sorted; lint.disable applied; only `only` files when given
    files: list[Path]
    # every file read: workflow files and the `$FILE{}` payloads they include (what a
    # deploy ships, so what must match the commit it records)
    read: list[Path] = field(default_factory=list)


@dataclass
class _Source:
    path: Path
    display: str
    out: Collector
    text: str | None = None
    tree: Any = None
    specs: list[WorkflowSpec] = field(default_factory=list)
    parsed: Any = None  # walk.Parsed


def discover(config: Config) -> list[Path]:
    """Workflow candidates (*.yaml, *.yml, *.json) under the configured folders, sorted."""
    found: set[Path] = set()
    for folder in config.workflows:
        base = (config.root / folder).resolve()
        if base.is_file() and base.suffix in _EXTS:
            found.add(base)
            continue
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = [d for d in dirnames if not d.startswith(".")]
            found.update(Path(dirpath, f) for f in filenames if f.endswith(_EXTS))
    if config.path is not None:  # `workflows: [.]` must not make dagship.yaml a workflow
        found.discard(config.path.resolve())
    return sorted(found)


def load_repository(config: Config, *, target: Target | None = None,
                    env: Mapping[str, str] | None = None,
                    only: Sequence[Path] | None = None) -> LoadResult:
    # Parsing allocates millions of small, acyclic objects; the cyclic collector would
    # rescan them over and over (a third of the run time on big repositories).
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _load(config, target, env, only)
    finally:
        if enabled:
            gc.enable()


def _load(config: Config, target: Target | None, env: Mapping[str, str] | None,
          only: Sequence[Path] | None) -> LoadResult:
    root = config.root
    paths = discover(config)
    wanted = {p.resolve() for p in only} if only is not None else None
    if wanted:
        paths = sorted(set(paths) | {p for p in wanted if p.is_file()})
    disabled = frozenset(config.lint_disable)
    sources = [_Source(p, display_path(root, p), Collector(display_path(root, p), disabled))
               for p in paths]
    texts: dict[Path, str | None] = {}
    for src in sources:
        src.text = _read(src.path, src.out)
        texts[src.path] = src.text
    payloads = _payloads(sources, root)
    names: dict[Path, str] = {}
    for src in sources:
        if src.path in payloads or src.text is None:
            continue
        if src.path.suffix != ".json":
            src.tree = _parse_yaml(src)
            name = _raw_name(src.tree)
            if name is not None:
                names[src.path] = name

    def read_text(path: Path) -> str | None:
        if path not in texts:
            try:
                texts[path] = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                texts[path] = None
        return texts[path]

    same = _same_project(config, target)
    for src in sources:
        if src.path in payloads or src.text is None:
            continue
        _load_one(src, config, target, env, names, read_text, same)
    _cross_file(sources, _keyer(config))
    _include_cycles(sources)
    targets = [target] if target is not None else list(config.targets.values())
    shipped = local_resources(config)
    for src in sources:
        specs = [*src.specs, *([src.parsed.spec] if src.parsed and src.parsed.spec else [])]
        check_targets(specs, src.out, targets)
        check_references(specs, src.text or "", src.out, config, shipped)
    result = _result(sources, payloads, wanted)
    # resource files are shipped too: the commit a deploy records must hold them as well
    result.read = sorted({*(p for p, t in texts.items() if t is not None),
                          *(r.file.resolve() for r in shipped.values())})
    return result


def _read(path: Path, out: Collector) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raw = exc.object
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - raw.rfind(b"\n", 0, exc.start)  # in bytes: the text is not text
        out.add("WF108", Mark(line, col), f"not UTF-8 text ({exc.reason} at byte "
                f"{exc.start}); save the file as UTF-8")
    except OSError as exc:
        out.add("WF108", Mark(1, 1), f"cannot read the file: {exc.strerror}")
    return None


def _payloads(sources: list[_Source], root: Path) -> set[Path]:
    """Files some workflow includes with `$FILE{...}`: payloads, not workflows."""
    found: set[Path] = set()
    for src in sources:
        if src.text is None or "$FILE{" not in src.text:
            continue
        for rel in _file_refs(src.text):
            for base in (src.path.parent, root):
                candidate = (base / rel).resolve()
                if candidate.is_file():
                    if root in candidate.parents:
                        found.add(candidate)
                    break
    return found


def _file_refs(text: str) -> list[str]:
    """Paths of `$FILE{"..."}` that start a YAML value (pyds expands only those).

    A plain substring scan with a look-behind by hand: the equivalent MULTILINE regex
    with a leading alternation was a tenth of a whole lint's time on a big repository.
    """
    refs = []
    for m in _FILE_TOKEN.finditer(text):
        before = text[text.rfind("\n", 0, m.start()) + 1 : m.start()].rstrip(" \t\"'")
        if not before or before[-1] in ":-[,{":
            refs.append(m.group(1))
    return refs


def _parse_yaml(src: _Source) -> Any:
    try:
        tree, dups = load(src.text or "")
    except YamlSyntaxError as exc:
        src.out.add("WF100", exc.mark, exc.message)
        return None
    for dup in dups:
        src.out.add("WF101", dup.mark, f"duplicate key `{dup.key}` (first at line "
                    f"{dup.first.line}); YAML readers keep only the last value")
    return tree


def _raw_name(tree: Any) -> str | None:
    if isinstance(tree, MDict) and isinstance(tree.get("workflow"), MDict):
        name = tree["workflow"].get("name")
        return str(name) if isinstance(name, str | int) and not isinstance(name, bool) else None
    return None


def _same_project(config: Config, target: Target | None) -> Any:
    projects = {target.project} if target else {t.project for t in config.targets.values()}

    def same(project: str | None) -> bool:
        return project is None or project in projects

    return same


def _load_one(src: _Source, config: Config, target: Target | None,
              env: Mapping[str, str] | None, names: dict[Path, str], read_text: Any,
              same: Any) -> None:
    text = src.text or ""
    if src.path.suffix == ".json":
        from deployer.definitions.native import read_native

        src.specs = read_native(src.path, text, src.out)
        return
    if src.tree is None and src.out.errors:
        return

    ctx = subst.Context(
        yaml_dir=src.path.parent, root=config.root, target=target, targets=config.targets,
        env=env, workflow_name=names.get, read_text=read_text,
        display=lambda p: display_path(config.root, p),
    )
    src.parsed = PydsReader(src.path, text, ctx, src.out, same).read(src.tree)


def _keyer(config: Config) -> Any:
    """Which project of `projects:` a file belongs to ("" without `projects:`): workflow
    names are unique per project, and a dependent may name another project's workflow."""
    if not config.projects:
        return lambda _path: ""
    from deployer.core.units import project_of

    return lambda path: project_of(config, path) or ""


def _cross_file(sources: list[_Source], key_of: Any) -> None:
    seen: dict[tuple[str, str], tuple[_Source, Mark]] = {}
    tasks_of: dict[tuple[str, str], set[str]] = {}
    keys = {src.path: key_of(src.path) for src in sources}
    for src in sources:
        entries: list[tuple[str, Mark, set[str]]] = []
        if src.parsed is not None and src.parsed.name is not None:
            entries.append((src.parsed.name, src.parsed.name_mark, src.parsed.task_names))
        entries += [(s.name, Mark(s.line, 1), {t.name for t in s.tasks}) for s in src.specs]
        for name, mark, tasks in entries:
            where = (keys[src.path], name)
            if where in seen:
                first, fmark = seen[where]
                scope = f"project {where[0]!r}" if where[0] else "the repository"
                src.out.add("WF406", mark, f"workflow name {name!r} is also used by "
                            f"{first.display}:{fmark.line}; names identify workflows in a "
                            f"project and must be unique across {scope}")
            else:
                seen[where] = (src, mark)
                tasks_of[where] = tasks
    projects = {k for k, _name in seen} - {""}
    for src in sources:
        if src.parsed is None:
            continue
        for ref in src.parsed.refs:
            if subst.TOKEN.search(ref.workflow):
                continue  # a token left for deploy time
            if ref.same_project:
                key = keys[src.path]
            elif ref.project in projects:  # a project of this repository, by its key
                key = ref.project
            else:
                continue  # a project of the scheduler that this repository does not hold
            known = {n: None for k, n in seen if k == key}
            in_project = f" of project {key!r}" if key and key != keys[src.path] else ""
            if (key, ref.workflow) not in tasks_of:
                code = "WF407" if ref.kind == "sub" else "WF408"
                what = "sub-workflow" if ref.kind == "sub" else "dependent"
                src.out.add(code, ref.mark, f"{what} references workflow {ref.workflow!r}"
                            f"{in_project}, which no file of the repository defines"
                            f"{hint(ref.workflow, known)}")
                continue
            tasks = tasks_of[(key, ref.workflow)]
            if ref.task is not None and ref.task not in tasks:
                src.out.add("WF409", ref.mark, f"dependent_task_name {ref.task!r} is not a task "
                            f"of workflow {ref.workflow!r}{hint(ref.task, tasks)}"
                            f"; its tasks: {', '.join(sorted(tasks))}")


def _include_cycles(sources: list[_Source]) -> None:
    """WF411: sub-workflow children and `$WORKFLOW{}` targets must not lead back.

    pydolphinscheduler parses a `$WORKFLOW{}` target before its referrer (and recurses
    forever on a cycle); a sub-workflow cycle never ends at run time; and neither order
    can be deployed first. Dependent tasks are left out: waiting on each other's runs
    (with date offsets) is legitimate.
    """
    owner: dict[str, _Source] = {}
    edges: dict[str, dict[str, Mark]] = {}
    for src in sources:
        parsed = src.parsed
        if parsed is None or parsed.name is None or parsed.name in owner:
            continue
        owner[parsed.name] = src
        children: dict[str, Mark] = {}
        for child, mark in parsed.children:
            if not subst.TOKEN.search(child):
                children.setdefault(child, mark)
        edges[parsed.name] = children
    graph = {name: [c for c in children if c in edges] for name, children in edges.items()}
    while (found := find_cycle(graph)) is not None:
        cycle = list(reversed(found))[:-1]  # a -> b: a includes b
        for i, here in enumerate(cycle):
            turn = cycle[i:] + cycle[:i]
            nxt = turn[1] if len(turn) > 1 else here
            src = owner[here]
            others = sorted({owner[n].display for n in cycle} - {src.display})
            files = f" (with {', '.join(others)})" if others else ""
            what = ("includes itself" if nxt == here else
                    f"includes {nxt!r}, which leads back to it: {' -> '.join([*turn, here])}")
            src.out.add("WF411", edges[here][nxt], f"workflow {here!r} {what}{files}; "
                        "sub-workflows and `$WORKFLOW{}` references must form a tree "
                        "(pydolphinscheduler would recurse forever, and no workflow of the "
                        "cycle could be deployed first)")
        for name in cycle:
            graph.pop(name, None)
        graph = {n: [c for c in cs if c in graph] for n, cs in graph.items()}


def _result(sources: list[_Source], payloads: set[Path], wanted: set[Path] | None) -> LoadResult:
    findings: list[Finding] = []
    workflows: list[WorkflowSpec] = []
    files: list[Path] = []
    for src in sources:
        if src.path in payloads:
            continue
        files.append(src.path)
        if wanted is None or src.path in wanted:
            findings.extend(src.out.findings)
        if src.out.errors:
            continue
        if src.parsed is not None and src.parsed.spec is not None:
            workflows.append(src.parsed.spec)
        workflows.extend(src.specs)
    return LoadResult(workflows=workflows, findings=sorted(findings), files=files)
