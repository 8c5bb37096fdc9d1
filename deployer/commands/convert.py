"""`dagship convert`: a DolphinScheduler export (JSON, 3.2 `process*` or 3.3+ `workflow*` keys)
into the YAML dialect, offline, through the same reverse mapping and writer as `pull`."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from deployer.adopt.context import Names
from deployer.adopt.files import Written, render_workflows, report, write_all
from deployer.adopt.verify import Repo
from deployer.client.generations import G2, G3
from deployer.core import errors
from deployer.output.console import warn


def _export_items(path: Path) -> list[dict[str, Any]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise errors.UsageError(f"{path}: cannot read: {exc}") from exc
    except json.JSONDecodeError as exc:
        raise errors.UsageError(f"{path}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") \
            from exc
    items = data if isinstance(data, list) else [data]
    out = []
    for i, item in enumerate(items):
        if not isinstance(item, dict) or not (isinstance(item.get("workflowDefinition"), dict)
                                              or isinstance(item.get("processDefinition"), dict)):
            raise errors.UsageError(f"{path}: element {i} is not an exported workflow (expected "
                                    "`workflowDefinition` or `processDefinition`)")
        gen = G2 if "processDefinition" in item else G3
        dag = gen.dag(item)
        if isinstance(item.get("schedule"), dict):
            dag["schedule"] = gen.schedule(item["schedule"])
        out.append(dag)
    return out


@dataclass(frozen=True, kw_only=True)
class ConvertOptions:
    """No dagship.yaml is read: the export and `output` say everything."""

    file: str  # the export (JSON, 3.2 `process*` or 3.3+ `workflow*` keys)
    output: str | None = None  # a file (one workflow) or folder; default: stdout for one
    color: bool = False


def convert_command(options: ConvertOptions) -> int:
    src, output = Path(options.file), options.output
    dags = _export_items(src)
    names = Names()
    for dag in dags:
        names.add_dag(dag, None)
        names.projects[int(dag["workflowDefinition"].get("projectCode") or 0)] = None
    schedules = {int(d["workflowDefinition"].get("code") or 0): d["schedule"]
                 for d in dags if isinstance(d.get("schedule"), dict)}
    if output is None and len(dags) != 1:
        raise errors.UsageError(f"{src}: the export holds {len(dags)} workflows; name a "
                                "folder for them with -o DIR")
    target = Path(output) if output else None
    as_dir = target is not None and (len(dags) != 1 or target.is_dir())
    folder = target if as_dir and target is not None else Path(".")
    files, losses = render_workflows(dags, names, schedules, folder, Repo(), side_files=False)
    if target is None:
        sys.stdout.write(next(iter(files.values())))
        for loss in losses:
            warn(str(loss), color=options.color)
        return errors.EXIT_OK
    if not as_dir:
        files = {target: next(iter(files.values()))}
    out = Written(losses=losses)
    write_all(files, out)
    report(out, Path.cwd(), "wrote", color=options.color)
    return errors.EXIT_OK
