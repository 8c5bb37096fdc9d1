"""Plan and result reports: a human table, stable JSON, and Markdown with Mermaid DAGs.

Every string that leaves here passes through `redact`, so a token echoed in a server
message never reaches a log, a PR comment or a job summary.
"""

from __future__ import annotations

import json
from typing import Any

from deployer.core.redact import redact
from deployer.diff.report import change_lines, changes_json, changes_md
from deployer.engine import metadata
from deployer.engine.apply import FAILED, SKIPPED, ApplyResult
from deployer.engine.plan import CREATE, DELETE, DRIFTED, UNCHANGED, UPDATE, Plan, WorkflowPlan
from deployer.engine.resources import DELETE as RDELETE
from deployer.engine.resources import UPDATE as RUPDATE
from deployer.engine.resources import UPLOAD as RUPLOAD
from deployer.engine.resources import ResourcePlan
from deployer.output.markdown import MERMAID_CLASSES, html_code, md_cell, md_code, mermaid_nodes

SIGN = {CREATE: "+", UPDATE: "~", DRIFTED: "!", DELETE: "-"}
COLOR = {CREATE: "32", UPDATE: "33", DRIFTED: "35", DELETE: "31"}


def _paint(text: str, code: str, color: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if color else text


def plan_text(plan: Plan, *, color: bool = False) -> str:
    """The plan as `terraform plan` shows one: each workflow's action, then what changes in
    it, task by task and key by key, in the words of the workflow file."""
    lines = [_source(plan), ""]
    project = f"project {plan.project}" + (", to be created" if plan.project_code is None
                                           else "")
    acting = [i for i in plan.items if i.action != UNCHANGED] + plan.deletes
    moving = plan.resources.changed() if plan.resources else []
    if acting or moving:
        lines += [f"dagship will perform the following actions on target {plan.target} "
                  f"({project}):", ""]
        for r in (x for x in moving if x.action != RDELETE):  # uploads go first
            lines += [_resource_line(r, plan, color), ""]
        for item in acting:
            lines += _item_lines(item, color)
            lines.append("")
        for r in (x for x in moving if x.action == RDELETE):  # and deletes last
            lines += [_resource_line(r, plan, color), ""]
    else:
        lines += [f"No changes: target {plan.target} ({project}) matches Git.", ""]
    for cycle in plan.cycles:
        lines.append(f"New workflows wait on each other: {' -> '.join(cycle)}")
    if plan.orphans:
        lines.append(f"{len(plan.orphans)} managed workflow(s) no longer in Git, kept "
                     f"(use --prune to delete): {', '.join(plan.orphans)}")
    if plan.resources and plan.resources.orphans:
        lines.append(f"{len(plan.resources.orphans)} resource(s) in {plan.resources.root} no "
                     f"longer in Git, kept (use --prune to delete): "
                     f"{', '.join(plan.resources.orphans)}")
    lines.append(plan.summary())
    return redact("\n".join(lines))


def _source(plan: Plan) -> str:
    """Where the plan looked and what it compared: never a placeholder for an unknown."""
    parts = [f"project {plan.project}" + (" (to be created)" if plan.project_code is None
                                          else "")]
    if plan.generation:
        parts.append(f"DolphinScheduler {plan.generation} API")
    if plan.source:  # "Rollback to v1 (commit ...)"
        parts.append(plan.source[:1].lower() + plan.source[1:])
    else:
        parts.append("not a Git checkout" if plan.commit == "nogit"
                     else f"Git commit {metadata.short_commit(plan.commit)}")
    line = f"Target {plan.target}: {', '.join(parts)}"
    if plan.uncommitted:
        line += ("\nUncommitted changes in what a deploy ships (it refuses them without "
                 "--allow-dirty): " + ", ".join(plan.uncommitted))
    return line


_RSIGN = {RUPLOAD: "+", RUPDATE: "~", RDELETE: "-"}
_RCOLOR = {RUPLOAD: "32", RUPDATE: "33", RDELETE: "31"}


def _resource_line(r: ResourcePlan, plan: Plan, color: bool) -> str:
    where = plan.resources.root if plan.resources else ""
    head = _paint(f"{_RSIGN[r.action]} resource {r.path}", _RCOLOR[r.action], color)
    return f"  {head}  ({r.action} in {where}: {r.why})"


def _resources_json(plan: Plan) -> dict[str, Any] | None:
    sync = plan.resources
    if sync is None:
        return None
    return {"root": sync.root, "generation": sync.generation, "summary": sync.counts(),
            "orphans": sync.orphans,
            "items": [{"path": i.path, "action": i.action, "details": i.why,
                       "size": i.local.size if i.local else None,
                       "sha256": i.local.digest if i.local else None} for i in sync.items]}


def _delete_details(d: WorkflowPlan) -> str:
    text = "managed by dagship, gone from Git"
    if d.referrers:
        text += f"; still referenced by {', '.join(d.referrers)}: will not be deleted"
    return text


_HOW = {CREATE: "create", UPDATE: "update in place", DRIFTED: "drifted", DELETE: "delete"}


def _item_lines(item: WorkflowPlan, color: bool) -> list[str]:
    how = _HOW[item.action]
    if item.action == DELETE:
        how += f": {_delete_details(item)}"
    elif item.action == DRIFTED:
        how += (": edited outside dagship since its last deploy; deploy refuses without "
                "--on-drift overwrite (Git wins) or skip")
    elif item.drift:
        how += ": edited outside dagship to what Git says; records dagship's marker only"
    elif item.adopted:
        how += ": adopts a workflow dagship did not deploy"
    elif item.recommit and item.meta is not None:
        how += (f": records the commit; it was deployed from uncommitted changes "
                f"({item.meta.commit})")
    head = _paint(f"{SIGN[item.action]} workflow {item.name}", COLOR[item.action], color)
    lines = [f"  {head}  ({how})"]
    inner = "      "
    lines += [f"{inner}# {d}" for d in item.drift_detail]
    if item.action == DELETE:
        return lines
    if item.diff is None:
        details = item.details()
        return lines + ([f"{inner}~ {details}"] if details else [])
    changes = change_lines(item.diff, inner, color=color)
    if not changes and item.definition_changed:
        changes = [f"{inner}~ fields the workflow file cannot say differ on the server; the "
                   "deploy writes Git's values"]
    return lines + changes


def result_text(result: ApplyResult, *, color: bool = False) -> str:
    ok = len(result.outcomes) - len(result.by_status(FAILED)) - len(result.by_status(SKIPPED))
    lines = [f"Applied: {ok} ok, {len(result.by_status(FAILED))} failed, "
             f"{len(result.by_status(SKIPPED))} skipped "
             f"({result.requests} requests, {result.seconds:.1f} s)"]
    for o in result.outcomes:
        if o.status == FAILED:
            code = f"[{o.error_code}] " if o.error_code and o.error_code > 0 else ""
            lines.append(f"  {_paint('failed ', '31', color)} {o.name}: {code}{o.error}")
        elif o.status == SKIPPED:
            lines.append(f"  {_paint('skipped', '33', color)} {o.name}: {o.error}")
    return redact("\n".join(lines))


def _item_json(i: WorkflowPlan) -> dict[str, Any]:
    c = i.changes
    return {
        "name": i.name, "action": i.action, "path": i.path, "code": i.code,
        "details": i.details(), "managed": i.managed, "adopted": i.adopted,
        "drift": i.drift, "drift_detail": i.drift_detail,
        "tasks": {"added": c.added, "changed": c.changed, "removed": c.removed},
        "edges_changed": c.edges, "fields_changed": c.fields,
        "state_change": i.state_change, "schedule_change": i.schedule_change,
        "digest": i.translation.digest if i.translation else None,
        "remote_digest": i.remote_digest,
        "deployed_commit": i.meta.commit if i.meta else None,
        "referrers": i.referrers,
        # field by field in the words of the workflow file, as `plan` prints it
        "changes": changes_json(i.diff) if i.diff is not None else None,
    }


def to_json(plan: Plan, result: ApplyResult | None, *, dry_run: bool = False) -> str:
    doc: dict[str, Any] = {
        "target": plan.target, "project": plan.project, "project_code": plan.project_code,
        "generation": plan.generation, "commit": plan.commit, "dry_run": dry_run,
        "summary": plan.counts(), "plan_requests": plan.requests,
        "workflows": [_item_json(i) for i in plan.items],
        "deletes": [_item_json(d) for d in plan.deletes],
        "orphans": plan.orphans, "cycles": plan.cycles, "source": plan.source,
        "resources": _resources_json(plan), "result": None,
    }
    if result is not None:
        doc["result"] = {
            "requests": result.requests, "seconds": round(result.seconds, 3),
            "project_created": result.project_created, "failed": result.failed,
            "error": result.error,
            "outcomes": [{"name": o.name, "action": o.action, "status": o.status,
                          "steps": o.steps, "error": o.error, "error_code": o.error_code,
                          "code": o.code} for o in result.outcomes],
        }
    return redact(json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False)) + "\n"


def to_markdown(plan: Plan, result: ApplyResult | None) -> str:
    out = [f"### dagship: {plan.target} ({plan.project})", "", f"**{plan.summary()}**", ""]
    if plan.source:
        out[2:2] = [md_cell(plan.source), ""]
    rows = [i for i in plan.items if i.action != "unchanged"] + plan.deletes
    if rows:
        out += ["| | Action | Workflow | Details |", "|---|---|---|---|"]
        for i in rows:
            details = i.details() if i.action != DELETE else _delete_details(i)
            out.append(f"| {SIGN[i.action]} | {i.action} | {md_code(i.name)} | "
                       f"{md_cell(details)} |")
        out.append("")
    moving = plan.resources.changed() if plan.resources else []
    if moving:
        out += ["| | Action | Resource | Details |", "|---|---|---|---|"]
        out += [f"| {_RSIGN[r.action]} | {r.action} | {md_code(r.path)} | {md_cell(r.why)} |"
                for r in moving]
        out.append("")
    if plan.cycles:
        out += ["**Refused**: new workflows wait on each other (none exists on the target, so "
                "none can be created first):", ""]
        out += [f"- {' -> '.join(md_code(n) for n in cycle)}" for cycle in plan.cycles]
        out.append("")
    if result is not None:
        status = {o.name: o for o in result.outcomes}
        bad = [o for o in status.values() if o.status != "ok"]
        if result.error is not None:
            out.append(f"**Not applied**: {md_cell(result.error)}")
        out.append(f"Applied with {result.requests} requests in {result.seconds:.1f} s; "
                   f"{len(bad)} not deployed.")
        out += [f"- **{o.status}** {md_code(o.name)}: {md_cell(o.error or '')}" for o in bad]
        out.append("")
    for i in rows:
        if i.spec is not None and i.action in (CREATE, UPDATE, DRIFTED):
            body = changes_md(i.diff) if i.diff is not None and i.action != CREATE else []
            out += [f"<details><summary>{html_code(i.name)} ({i.action})</summary>", "",
                    *body, *([""] if body else []),
                    "```mermaid", mermaid(i), "```", "", "</details>", ""]
    return redact("\n".join(out))


def mermaid(item: WorkflowPlan) -> str:
    """`flowchart LR` of a workflow; added, changed and removed tasks highlighted."""
    spec = item.spec
    if spec is None:
        return "flowchart LR"
    c = item.changes
    ids, lines = mermaid_nodes([t.name for t in spec.tasks] + list(c.removed))
    for t in spec.tasks:
        for d in t.deps:
            if d in ids:
                lines.append(f"  {ids[d]} --> {ids[t.name]}")
    lines += MERMAID_CLASSES
    for cls, group in (("added", c.added), ("changed", c.changed), ("removed", c.removed)):
        if group:
            lines.append(f"  class {','.join(ids[n] for n in group if n in ids)} {cls}")
    return "\n".join(lines)

