"""Schedules: create/update/online/offline/delete/list/preview with the server's checks (§5, §7).
Callers hold `st.lock`."""

from __future__ import annotations

import json
import zoneinfo
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from deployer.definitions.cron import check_quartz
from deployer.sandbox import quartz
from deployer.sandbox.status import ApiError
from deployer.sandbox.store import DATE_FORMAT, State, now_text
from deployer.sandbox.workflows import project_for_write

__all__ = ["ScheduleForm", "create", "delete", "preview", "set_online", "update"]


@dataclass
class ScheduleForm:
    schedule: str
    warning_type: str
    warning_group_id: int
    failure_strategy: str
    worker_group: str
    tenant_code: str
    environment_code: int
    priority: str


def _cron_problems(expr: str) -> list[str]:
    return [p.message for p in check_quartz(expr)]


def _parse(text: str, bad_json: int, bad_cron: int) -> dict[str, Any]:
    """The `schedule` JSON checked in the server's order: times, then crontab."""
    try:
        value = json.loads(text)
        if not isinstance(value, dict):
            raise ValueError("not an object")
        start = datetime.strptime(str(value.get("startTime")), DATE_FORMAT).replace(tzinfo=UTC)
        end = datetime.strptime(str(value.get("endTime")), DATE_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        raise ApiError(bad_json, text) from None
    if start == end:
        raise ApiError(10141)
    if start > end:
        raise ApiError(80003)
    crontab = value.get("crontab")
    if not isinstance(crontab, str) or _cron_problems(crontab):
        raise ApiError(bad_cron, crontab if bad_cron == 10024 else "crontab")
    return {"startTime": value["startTime"], "endTime": value["endTime"], "crontab": crontab,
            "timezoneId": value.get("timezoneId")}


def _workflow(st: State, project_code: int, code: int) -> dict[str, Any]:
    wf = st.wfs.get(code)
    if wf is None or wf["projectCode"] != project_code:
        raise ApiError(50003, code)
    return wf


def _check_tenant(st: State, tenant: str) -> None:
    if not st.gen.g1 and tenant != "default":
        raise ApiError(10017, tenant)


def create(st: State, project_code: int, workflow_code: int, form: ScheduleForm) -> dict[str, Any]:
    project_for_write(st, project_code)
    wf = _workflow(st, project_code, workflow_code)
    if wf["releaseState"] != "ONLINE":
        raise ApiError(50004, workflow_code, wf["version"])
    existing = st.schedule_of.get(workflow_code, [])
    if existing and not st.gen.g1:
        raise ApiError(10204, workflow_code, existing[0])
    fields = _parse(form.schedule, 10076, 10001)
    _check_tenant(st, form.tenant_code)
    now = now_text()
    sched: dict[str, Any] = {"id": st.next_id("schedule"), "workflowCode": workflow_code,
             "releaseState": "OFFLINE", "createTime": now, "updateTime": now}
    _apply(st, sched, fields, form)
    st.schedules[sched["id"]] = sched
    st.schedule_of.setdefault(workflow_code, []).append(sched["id"])
    wf["warningGroupId"] = form.warning_group_id
    st.changed()
    return sched


def _apply(st: State, sched: dict[str, Any], fields: dict[str, Any], form: ScheduleForm) -> None:
    sched.update(fields)
    sched.update(warningType=form.warning_type, warningGroupId=form.warning_group_id,
                 failureStrategy=form.failure_strategy, workerGroup=form.worker_group,
                 environmentCode=form.environment_code, priority=form.priority,
                 updateTime=now_text())
    if not st.gen.g1:
        sched["tenantCode"] = form.tenant_code


def _missing(st: State, sid: int) -> ApiError:
    return ApiError(10022 if st.gen.g1 else 10203, sid)


def update(st: State, project_code: int, sid: int, form: ScheduleForm) -> None:
    project_for_write(st, project_code)
    sched = st.schedules.get(sid)
    if sched is None:
        raise _missing(st, sid)
    if sched["releaseState"] == "ONLINE":
        raise ApiError(10023)
    fields = _parse(form.schedule, 10140, 10024)
    _check_tenant(st, form.tenant_code)
    _apply(st, sched, fields, form)
    st.changed()


def set_online(st: State, project_code: int, sid: int, online: bool) -> None:
    project_for_write(st, project_code)
    sched = st.schedules.get(sid)
    target = "ONLINE" if online else "OFFLINE"
    if sched is None:
        if st.gen.g1:
            raise ApiError(10022, sid)
        return  # 3.2+: an unknown id is a silent success
    if sched["releaseState"] == target:
        if st.gen.g1:
            raise ApiError(10126, target)
        return
    if online:
        wf = st.wfs[sched["workflowCode"]]
        if wf["releaseState"] != "ONLINE":
            raise ApiError(50004, wf["code"], wf["version"])
    sched.update(releaseState=target, updateTime=now_text())
    st.changed()


def delete(st: State, project_code: int, sid: int) -> None:
    project_for_write(st, project_code)
    sched = st.schedules.get(sid)
    if sched is None:
        raise _missing(st, sid)
    if sched["releaseState"] == "ONLINE":
        raise ApiError(50023, sid)
    del st.schedules[sid]
    ids = st.schedule_of.get(sched["workflowCode"], [])
    if sid in ids:
        ids.remove(sid)
    st.changed()


def of_project(st: State, project_code: int, workflow_code: int = 0,
               search: str = "") -> list[dict[str, Any]]:
    rows = []
    for sched in st.schedules.values():
        wf = st.wfs.get(sched["workflowCode"])
        if wf is None or wf["projectCode"] != project_code:
            continue
        if workflow_code and sched["workflowCode"] != workflow_code:
            continue
        if search and search not in wf["name"]:
            continue
        rows.append(sched)
    return sorted(rows, key=lambda s: -s["id"])


def preview(text: str) -> list[str]:
    """The next 5 fire times after now within [start, end], in the schedule's time zone."""
    try:
        value = json.loads(text)
        zone = zoneinfo.ZoneInfo(value["timezoneId"])
        start = datetime.strptime(value["startTime"], DATE_FORMAT).replace(tzinfo=zone)
        end = datetime.strptime(value["endTime"], DATE_FORMAT).replace(tzinfo=zone)
        crontab = value["crontab"]
    except (ValueError, KeyError, TypeError, zoneinfo.ZoneInfoNotFoundError):
        raise ApiError(10139) from None
    if not isinstance(crontab, str) or _cron_problems(crontab):
        raise ApiError(10139)
    now = datetime.now(UTC).astimezone(zone).replace(microsecond=0)
    times = quartz.next_times(crontab, max(start, now), end)
    return [t.strftime(DATE_FORMAT) for t in times]
