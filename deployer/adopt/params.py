"""The taskParams of the task types with their own keys, for `deployer.adopt.reverse`: datasource
ids to names, the SQL type the loader would detect, packages, HTTP parameters, the sub-workflow
child, local parameters and resources."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from deployer.adopt.context import Reversal
from deployer.definitions.dialect import TaskType
from deployer.definitions.values import PARAM_TYPES
from deployer.engine.canonical import json_field, to_int

_NOT_SELECT = re.compile(
    r"^(?!(.* |)insert |(.* |)delete |(.* |)drop |(.* |)update |(.* |)truncate |(.* |)alter "
    r"|(.* |)create ).*", re.IGNORECASE)
_TYPE_CALL = re.compile(r"^([A-Z][A-Z_]*)\((.*)\)$", re.DOTALL)
# taskParams keys the loader writes for every Sql task (pydolphinscheduler's constants).
_SQL_FIXED = {"sendEmail": False, "showType": "TABLE", "connParams": "", "title": "",
              "groupId": 0}
_DS_KEYS = {  # taskParams (ref key, type key) -> dialect (name key, type key)
    ("datasource", "type"): ("datasource_name", "datasource_type"),
    ("dataSource", "dsType"): ("datasource_name", "datasource_type"),
    ("dataTarget", "dtType"): ("datatarget_name", "datatarget_type"),
}


def special(r: Reversal, ttype: TaskType, rest: dict[str, Any], out: dict[str, Any],
            where: str) -> None:
    """The keys the loader builds by hand: datasources, sql_type, main_package, http_params,
    workflow_name."""
    for (ref_key, type_key), (name_key, dtype_key) in _DS_KEYS.items():
        if ref_key not in rest:
            continue
        ds_id, ds_type = to_int(rest.pop(ref_key)), rest.pop(type_key, None)
        found = r.names.datasources.get(ds_id)
        if found is None:
            r.lose(where, f"datasource id {ds_id} matches no datasource; written as "
                      f"`datasource_{ds_id}`")
            found = (f"datasource_{ds_id}", str(ds_type or ""))
        out[name_key] = found[0]
        if ds_type and str(ds_type).upper() != found[1].upper():
            out[dtype_key] = str(ds_type)
    if ttype.name == "Sql":
        sql = str(out.get("sql", ""))
        sql_type = str(rest.pop("sqlType", ""))
        if sql_type and sql_type != ("0" if _NOT_SELECT.match(sql) else "1"):
            out["sql_type"] = sql_type
        for key, value in _SQL_FIXED.items():
            if key in rest and rest[key] == value:
                rest.pop(key)
    if "mainJar" in rest and isinstance(rest["mainJar"], Mapping) \
            and set(rest["mainJar"]) == {"resourceName"}:
        out["main_package"] = str(rest.pop("mainJar")["resourceName"])
    if ttype.name == "Http" and isinstance(rest.get("httpParams"), list):
        http: dict[str, str] = {}
        for item in rest.pop("httpParams"):
            if not isinstance(item, Mapping):
                continue
            kind = item.get("httpParametersType") or "PARAMETER"
            prop = str(item.get("prop"))
            if kind != "PARAMETER" or prop in http:
                r.lose(where, f"http parameter `{prop}` of type {kind} (the dialect "
                          "sends PARAMETER items, each name once)")
                continue
            http[prop] = "" if item.get("value") is None else str(item.get("value"))
        if http:
            out["http_params"] = http
    if ttype.name == "SubWorkflow":
        code = to_int(rest.pop("workflowDefinitionCode", 0))
        project, child = r.names.workflows.get(code, (None, None))
        if child is None or project is not None:
            r.lose(where, f"sub-workflow code {code} is not a workflow of this project")
            child = child or f"workflow_{code}"
        out["workflow_name"] = child


def local_params(r: Reversal, raw: Any, out: dict[str, Any], where: str) -> None:
    """localParams -> input_params/output_params, or `local_params` when their order or
    names cannot be kept otherwise."""
    decoded = json_field(raw, [])
    if isinstance(decoded, str):
        r.lose(where, "localParams is not valid JSON; left out")
    items = [i for i in decoded if isinstance(i, Mapping)] if isinstance(decoded, list) else []
    directs = [str(i.get("direct") or "IN") for i in items]
    props = [str(i.get("prop", "")) for i in items]
    in_then_out = directs == sorted(directs, key=lambda d: d != "IN") \
        and set(directs) <= {"IN", "OUT"} and len(set(props)) == len(props)
    if not in_then_out:
        out["local_params"] = [{"prop": str(i.get("prop", "")), "direct": d,
                                "type": str(i.get("type") or "VARCHAR"),
                                "value": "" if i.get("value") is None else str(i["value"])}
                               for i, d in zip(items, directs, strict=True)]
        return
    for item, direct in zip(items, directs, strict=True):
        key = "input_params" if direct == "IN" else "output_params"
        ptype = str(item.get("type") or "VARCHAR")
        value = "" if item.get("value") is None else str(item.get("value"))
        if ptype not in PARAM_TYPES:
            r.lose(where, f"parameter `{item.get('prop')}` has type {ptype}")
            ptype = "VARCHAR"
        if ptype == "VARCHAR" and _TYPE_CALL.match(value.strip()) is None \
                and value == value.strip():
            text = value
        else:
            text = f"{ptype}({value})"
            if value != value.rstrip():
                r.lose(where, f"parameter `{item.get('prop')}` ends with blanks")
        out.setdefault(key, {})[str(item.get("prop", ""))] = text


def resources(r: Reversal, raw: Any, out: dict[str, Any], where: str) -> None:
    items = json_field(raw, [])
    if isinstance(items, str):
        r.lose(where, "resourceList is not valid JSON; left out")
    names = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, Mapping) and item.get("resourceName"):
            names.append(str(item["resourceName"]))
            if set(item) - {"resourceName"}:
                r.lose(where, f"resource {item['resourceName']!r} also carries "
                          f"{', '.join(sorted(set(item) - {'resourceName'}))}")
        else:
            r.lose(where, f"resource {item!r} has no resourceName")
    if names:
        out["resource_list"] = names
