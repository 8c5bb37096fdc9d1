"""`dagship status`: which commit runs where, and whether Git, the marker and the server agree.

Built on the plan (the same handful of list requests), so status and deploy never disagree.
Per workflow, three digests of the definition are compared:

- git     the canonical digest of Git's definition for this target (the checkout)
- marker  the digest dagship recorded on the remote workflow at its last deploy
- remote  the digest of what the server holds now

and summed up in `sync`:

- in sync      git = marker = remote, and release state and schedule are Git's
- pending      the server holds what dagship deployed, but Git has moved on (or release
               state / schedule differ): the next deploy updates it
- drift        the server's definition is not what dagship deployed (edited in the UI)
- unmanaged    on the server without dagship's marker (a deploy would adopt it)
- not deployed in Git, absent from the server
- not in Git   managed by dagship on the server, gone from Git (`--prune` deletes it)

The deployed commit is told relative to the checkout: `HEAD`, `N behind`, a tag, or
`not in this history` (a rollback to an older tag shows as behind).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from deployer.commands.across import across, per_project
from deployer.commands.detail import explain
from deployer.core import errors, git
from deployer.core.config import Config
from deployer.core.redact import redact
from deployer.diff.report import change_summary, changes_json
from deployer.engine import canonical, metadata
from deployer.engine.plan import Plan, WorkflowPlan, schedule_online
from deployer.engine.session import ReportOptions, Session, open_session
from deployer.output.console import write_report
from deployer.output.markdown import md_cell, md_code

IN_SYNC, PENDING, DRIFT = "in sync", "pending", "drift"
UNMANAGED, NOT_DEPLOYED, NOT_IN_GIT = "unmanaged", "not deployed", "not in Git"
SYNC_ORDER = (IN_SYNC, PENDING, DRIFT, UNMANAGED, NOT_DEPLOYED, NOT_IN_GIT)


def _schedule_text(sched: Mapping[str, Any] | None) -> str | None:
    if not sched:
        return None
    return f"{sched.get('crontab')} {sched.get('releaseState') or 'OFFLINE'}"


def _git_schedule(item: WorkflowPlan) -> str | None:
    spec = item.spec
    if spec is None or spec.schedule is None:
        return None
    return f"{spec.schedule.crontab} {'ONLINE' if schedule_online(spec) else 'OFFLINE'}"


def _sync(item: WorkflowPlan) -> str:
    if item.remote is None:
        return NOT_DEPLOYED
    if item.meta is None:
        return UNMANAGED
    if item.drift:
        return DRIFT
    return IN_SYNC if item.action == "unchanged" else PENDING


def _git_row(item: WorkflowPlan) -> dict[str, Any]:
    wf = (item.remote or {}).get("workflowDefinition") or {}
    return {
        "workflow": item.name, "path": item.path, "in_git": True, "code": item.code,
        "version": wf.get("version"), "managed": item.managed, "sync": _sync(item),
        "commit": item.meta.commit if item.meta else None,
        "git_digest": item.translation.digest if item.translation else None,
        "digest": item.meta.digest if item.meta else None,
        "remote_digest": item.remote_digest,
        "state": item.remote_state, "git_state": item.spec.release_state if item.spec else None,
        "schedule": _schedule_text(item.remote_schedule), "git_schedule": _git_schedule(item),
        "drift": item.drift if item.meta else None, "action": item.action,
        "details": change_summary(item.diff) if item.diff is not None else item.details(),
        "changes": changes_json(item.diff) if item.diff is not None else None,
    }


def _remote_row(name: str, dag: Mapping[str, Any],
                schedules: Mapping[int, Mapping[str, Any]]) -> dict[str, Any]:
    wf = dag["workflowDefinition"]
    meta = metadata.parse(wf.get("description"))[1]
    remote = canonical.digest(canonical.from_dag(dag))
    return {
        "workflow": name, "path": None, "in_git": False, "code": int(wf["code"]),
        "version": wf.get("version"), "managed": meta is not None,
        "sync": NOT_IN_GIT if meta else UNMANAGED,
        "commit": meta.commit if meta else None, "git_digest": None,
        "digest": meta.digest if meta else None, "remote_digest": remote,
        "state": str(wf.get("releaseState") or "OFFLINE"), "git_state": None,
        "schedule": _schedule_text(schedules.get(int(wf["code"]))), "git_schedule": None,
        "drift": (meta.digest != remote) if meta else None, "action": None,
        "details": "managed by dagship, gone from Git" if meta else "not managed by dagship",
    }


def status_rows(plan: Plan) -> list[dict[str, Any]]:
    rows = [_git_row(i) for i in plan.items]
    desired = {i.name for i in plan.items}
    rows += [_remote_row(name, dag, plan.remote_schedules)
             for name, dag in plan.remote_dags.items() if name not in desired]
    return sorted(rows, key=lambda r: r["workflow"])


def commit_relations(rows: Sequence[Mapping[str, Any]], head: str, root: Path) -> dict[str, str]:
    """How each deployed short commit relates to `head`: a few git calls per distinct one."""
    out: dict[str, str] = {}
    for short in sorted({str(r["commit"]) for r in rows if r.get("commit")}):
        if short == "nogit":
            out[short] = "deployed outside Git"
            continue
        base = short.removesuffix(metadata.DIRTY)
        dirty = " + uncommitted changes" if base != short else ""
        full = git.output(["rev-parse", "--verify", "--quiet", f"{base}^{{commit}}"], root)
        if not full:
            out[short] = "unknown here" + dirty
            continue
        tag = git.output(["describe", "--tags", "--exact-match", full], root)
        where = _where(full, head, root) + dirty
        out[short] = f"{tag}, {where}" if tag else where
    return out


def _where(full: str, head: str, root: Path) -> str:
    if full == head:
        return "HEAD"
    behind = git.output(["rev-list", "--count", f"{full}..{head}"], root)
    ahead = git.output(["rev-list", "--count", f"{head}..{full}"], root)
    if behind is None or ahead is None:
        return "unknown here"
    if ahead == "0":
        return f"{behind} behind"
    return f"not in this history ({ahead} ahead, {behind} behind)"


def _head(run: Session) -> str | None:
    commit = run.commit.removesuffix(metadata.DIRTY)
    if re.fullmatch(r"[0-9a-f]{40}|[0-9a-f]{64}", commit):
        return commit
    return git.output(["rev-parse", "HEAD"], run.config.root)


def counts(rows: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    return {s: sum(1 for r in rows if r["sync"] == s) for s in SYNC_ORDER}


# --- rendering -------------------------------------------------------------------------------

_COLS = ("workflow", "sync", "commit", "state", "schedule", "digests")


def _cells(r: Mapping[str, Any]) -> dict[str, str]:
    state = r["state"] or "-"
    if r["git_state"] and r["state"] and r["git_state"] != r["state"]:
        state += f" (Git: {r['git_state']})"
    sched = r["schedule"] or "-"
    if r["in_git"] and r["git_schedule"] != r["schedule"] and r["remote_digest"] is not None:
        sched += f" (Git: {r['git_schedule'] or 'none'})"
    commit = r["commit"] or "-"
    if r.get("commit_relation"):
        commit += f" ({r['commit_relation']})"
    return {"workflow": r["workflow"], "sync": r["sync"], "commit": commit, "state": state,
            "schedule": sched, "digests": _digests(r)}


def _digests(r: Mapping[str, Any]) -> str:
    """git / marker / remote, 7 digits each; `=` where equal to the one before."""
    parts = []
    prev = None
    for label in ("git_digest", "digest", "remote_digest"):
        value = r.get(label)
        shown = "-" if value is None else ("=" if value == prev else str(value)[:7])
        parts.append(shown)
        prev = value
    return " ".join(parts)


def to_text(head: str, rows: Sequence[Mapping[str, Any]]) -> str:
    if not rows:
        return f"{head}\n  no workflows"
    table = [tuple(c.upper() for c in _COLS)] + [tuple(_cells(r)[c] for c in _COLS)
                                                  for r in rows]
    widths = [max(len(row[k]) for row in table) for k in range(len(_COLS))]
    lines = [head] + ["  " + "  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True))
                      .rstrip() for row in table]
    lines += [f"    {r['workflow']}: {r['details']}" for r in rows
              if r["sync"] not in (IN_SYNC, NOT_IN_GIT, UNMANAGED) and r["details"]]
    n = counts(rows)
    lines.append("Status: " + ", ".join(f"{n[s]} {s}" for s in SYNC_ORDER if n[s]))
    lines.append("DIGESTS: git / deployed marker / remote content (= same as the one before)")
    return redact("\n".join(lines))


def to_markdown(head: str, rows: Sequence[Mapping[str, Any]]) -> str:
    out = [f"### dagship status: {md_cell(head)}", ""]
    if not rows:
        return redact("\n".join([*out, "No workflows.", ""]))
    n = counts(rows)
    out += ["**" + ", ".join(f"{n[s]} {s}" for s in SYNC_ORDER if n[s]) + "**", "",
            "| Workflow | Sync | Deployed commit | State | Schedule | Digests (git / marker / "
            "remote) |", "|---|---|---|---|---|---|"]
    for r in rows:
        c = _cells(r)
        out.append(f"| {md_code(r['workflow'])} | {c['sync']} | {md_cell(c['commit'])} | "
                   f"{md_cell(c['state'])} | {md_cell(c['schedule'])} | "
                   f"{md_cell(c['digests'])} |")
    return redact("\n".join([*out, ""]))


# a resource file's plan action, as status words it
_RES_SYNC = {"unchanged": "in sync", "upload": "not deployed", "update": "differs",
             "delete": "not in Git"}


def resource_rows(plan: Plan) -> list[dict[str, Any]]:
    """Each resource file of Git and each one of dagship's folder Git no longer has."""
    sync = plan.resources
    if sync is None:
        return []
    rows = [{"path": i.path, "sync": _RES_SYNC[i.action], "details": i.why,
             "size": i.local.size if i.local else (i.remote.size if i.remote else None)}
            for i in sync.items]
    rows += [{"path": p, "sync": "not in Git", "details": "kept (no prune)", "size": None}
             for p in sync.orphans]
    return sorted(rows, key=lambda r: str(r["path"]))


def resources_text(plan: Plan, rows: Sequence[Mapping[str, Any]]) -> str:
    if plan.resources is None:
        return ""
    n: dict[str, int] = {}
    for r in rows:
        n[str(r["sync"])] = n.get(str(r["sync"]), 0) + 1
    lines = [f"Resources in {plan.resources.root}: "
             + (", ".join(f"{v} {k}" for k, v in sorted(n.items())) or "none")]
    lines += [f"  {r['sync']}: {r['path']}" + (f" ({r['details']})" if r["details"] else "")
              for r in rows if r["sync"] != "in sync"]
    return redact("\n" + "\n".join(lines))


def resources_md(rows: Sequence[Mapping[str, Any]]) -> str:
    if not rows:
        return ""
    out = ["", "| Resource | Sync | Details |", "|---|---|---|"]
    out += [f"| {md_code(str(r['path']))} | {r['sync']} | {md_cell(str(r['details'] or ''))} |"
            for r in rows]
    return redact("\n".join([*out, ""]))


@dataclass(frozen=True, kw_only=True)
class StatusOptions(ReportOptions):
    fmt: str = "text"  # text | json | markdown: what is printed on stdout


def status_command(config: Config, options: StatusOptions,
                   env: Mapping[str, str] | None = None) -> int:
    if per_project(config):  # several projects, or a preview: once per project
        return across(config, options, os.environ if env is None else env, status_command)
    env = os.environ if env is None else env
    run = open_session(config, options, env)
    if run is None:
        return errors.EXIT_OK
    specs = run.load_specs(env)
    run.check_committed(allow_dirty=True, refuse=False)
    # no "planning N workflow(s)" line: status reads, it plans nothing
    plan = explain(run.plan(specs, prune=False, progress=False), run.config, run.target)
    rows = status_rows(plan)
    head = _head(run)
    if head:
        relations = commit_relations(rows, head, run.config.root)
        for r in rows:
            r["commit_relation"] = relations.get(str(r["commit"])) if r["commit"] else None
    api = f"DolphinScheduler {plan.generation} API, " if plan.generation else "no project yet, "
    title = (f"Target {run.target.name}: project {run.target.project}, {api}Git at "
             f"{(head or 'nogit')[:7]}"
             + (f" + uncommitted changes ({', '.join(run.uncommitted)})"
                if run.uncommitted else ""))
    res_rows = resource_rows(plan)
    doc = {"target": run.target.name, "project": run.target.project,
           "generation": plan.generation, "commit": head, "summary": counts(rows),
           "requests": plan.requests, "workflows": rows, "resources": res_rows}
    as_json = redact(json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False)) + "\n"
    shown = {"text": lambda: to_text(title, rows) + resources_text(plan, res_rows) + "\n",
             "json": lambda: as_json,
             "markdown": lambda: to_markdown(title, rows) + resources_md(res_rows)}
    write_report("-", shown[options.fmt]())
    if options.json_path:
        write_report(options.json_path, as_json)
    if options.markdown_path:
        write_report(options.markdown_path, to_markdown(title, rows) + resources_md(res_rows))
    return errors.EXIT_OK
