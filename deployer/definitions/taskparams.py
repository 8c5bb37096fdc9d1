"""A task's DolphinScheduler `taskParams` from the dialect's keys (logic tasks apart)."""

from __future__ import annotations

import re
from typing import Any

from deployer.definitions.logic import logic_params
from deployer.definitions.model import DatasourceRef, WorkflowRef
from deployer.definitions.walk import RawTask, Reference, TaskState

_NOT_SELECT = re.compile(
    r"^(?!(.* |)insert |(.* |)delete |(.* |)drop |(.* |)update |(.* |)truncate |(.* |)alter "
    r"|(.* |)create ).*", re.IGNORECASE)


def task_params(tr: TaskState, raw: RawTask, where: str) -> None:
    ttype, vals = raw.ttype, raw.vals
    if ttype.logic:
        logic_params(tr, raw, where)
        return
    params: dict[str, Any] = dict(ttype.fixed)
    for key in ttype.keys:
        if key.param is None:
            continue
        if key.name in vals:
            params[key.param] = vals[key.name]
        elif key.default is not None:
            params[key.param] = list(key.default) if isinstance(key.default, list) \
                else key.default
    _special(tr, raw, params)
    local: list[Any] = []
    if "input_params" in vals:
        local += tr.r.v.params(raw.node, "input_params", "IN", where)
    if "output_params" in vals:
        local += tr.r.v.params(raw.node, "output_params", "OUT", where)
    for item in vals.get("local_params", []):
        if isinstance(item, dict):
            local.append(item)
    params["localParams"] = local
    params["resourceList"] = [{"resourceName": r} for r in vals.get("resource_list", [])]
    raw.params = params


def _special(tr: TaskState, raw: RawTask, params: dict[str, Any]) -> None:
    v, name = raw.vals, raw.ttype.name
    if "datasource_name" in v:
        dtype = v.get("datasource_type")
        dtype = dtype.upper() if isinstance(dtype, str) else None
        ref = DatasourceRef(v["datasource_name"], dtype)
        if name == "DataX":
            ttype = v.get("datatarget_type")
            ttype = ttype.upper() if isinstance(ttype, str) else None
            params.update(dsType=dtype, dataSource=ref, dtType=ttype,
                          dataTarget=DatasourceRef(v["datatarget_name"], ttype))
        else:
            params.update(type=dtype, datasource=ref)
    if name == "Sql":
        sql = v["sql"]
        params["sqlType"] = v.get("sql_type") or ("0" if _NOT_SELECT.match(sql) else "1")
        params.update(sendEmail=False, showType="TABLE", connParams="", title="",
                      groupId=0)
    if "main_package" in v:
        params["mainJar"] = {"resourceName": v["main_package"]}
    if name == "Http":
        http = v.get("http_params") or {}
        params["httpParams"] = [
            {"prop": str(k), "httpParametersType": "PARAMETER",
             "value": "" if val is None else str(val)} for k, val in http.items()]
    if name in ("SubWorkflow", "SubProcess"):
        child = str(v.get("workflow_name") or v.get("process_definition_name"))
        params["workflowDefinitionCode"] = WorkflowRef(child)
        key = "workflow_name" if "workflow_name" in v else "process_definition_name"
        tr.r.parsed.refs.append(Reference("sub", child, True, None, raw.node.value_mark(key)))
        if child not in tr.r.ctx.depends_on:
            tr.r.ctx.depends_on.append(child)
