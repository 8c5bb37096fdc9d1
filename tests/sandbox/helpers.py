"""A thin, server-agnostic speaker of the DolphinScheduler v1 API for the contract tests.

Everything goes over real HTTP with `requests`, so the same tests can run against a real
DolphinScheduler (see conftest.ds_server)."""

from __future__ import annotations

import itertools
import json
import uuid
from typing import Any

import requests


class DS:
    def __init__(self, base_url: str, token: str, api_version: str) -> None:
        self.url = base_url.rstrip("/")
        self.token = token
        self.version = api_version
        self.g3 = api_version in ("3.3", "3.4")
        self.g1 = api_version == "3.1"
        self.wd = "workflow-definition" if self.g3 else "process-definition"
        self.code_key = "workflowDefinitionCode" if self.g3 else "processDefinitionCode"
        self.sub_type = "SUB_WORKFLOW" if self.g3 else "SUB_PROCESS"
        self.dag_def = "workflowDefinition" if self.g3 else "processDefinition"
        self.http = requests.Session()
        self.http.headers["token"] = token

    # --- raw -------------------------------------------------------------------------------
    def call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return self.http.request(method, self.url + path, timeout=30, **kwargs)

    def ok(self, method: str, path: str, **kwargs: Any) -> Any:
        body = self.call(method, path, **kwargs).json()
        assert body["code"] == 0, body
        return body["data"]

    def code(self, method: str, path: str, **kwargs: Any) -> int:
        return int(self.call(method, path, **kwargs).json()["code"])

    # --- objects ---------------------------------------------------------------------------
    def project(self, prefix: str = "ct") -> int:
        name = f"{prefix}_{uuid.uuid4().hex[:10]}"
        return int(self.ok("POST", "/projects", data={"projectName": name})["code"])

    def gen_codes(self, pc: int, n: int) -> list[int]:
        return [int(c) for c in self.ok(
            "GET", f"/projects/{pc}/task-definition/gen-task-codes", params={"genNum": n})]

    def wf_path(self, pc: int, suffix: str = "") -> str:
        return f"/projects/{pc}/{self.wd}{suffix}"

    def form(self, name: str, tasks: list[dict[str, Any]], edges: list[tuple[int, int]],
             **extra: Any) -> dict[str, Any]:
        form = {"name": name, "description": extra.pop("description", ""),
                "globalParams": "[]", "timeout": 0, "executionType": "PARALLEL",
                "taskDefinitionJson": json.dumps(tasks),
                "taskRelationJson": json.dumps([edge(a, b) for a, b in edges])}
        if self.g1:
            form["tenantCode"] = "default"
        form.update(extra)
        return form

    def create(self, pc: int, form: dict[str, Any]) -> requests.Response:
        return self.call("POST", self.wf_path(pc), data=form)

    def chain(self, pc: int, name: str, n: int = 2, **extra: Any) -> tuple[int, list[int]]:
        """A workflow of n SHELL tasks in a line; returns (workflow code, task codes)."""
        codes = self.gen_codes(pc, n)
        tasks = [shell(c, f"t{i}") for i, c in enumerate(codes)]
        edges = [(0, codes[0]), *itertools.pairwise(codes)]
        body = self.create(pc, self.form(name, tasks, edges, **extra)).json()
        assert body["code"] == 0, body
        return int(body["data"]["code"]), codes

    def dag(self, pc: int, code: int) -> dict[str, Any]:
        return dict(self.ok("GET", self.wf_path(pc, f"/{code}")))

    def release(self, pc: int, code: int, state: str) -> int:
        return self.code("POST", self.wf_path(pc, f"/{code}/release"),
                         data={"releaseState": state})

    def schedule_form(self, **extra: Any) -> dict[str, Any]:
        sched = {"startTime": "2024-01-01 00:00:00", "endTime": "2099-12-31 00:00:00",
                 "crontab": "0 0 2 * * ? *", "timezoneId": "UTC"}
        sched.update(extra.pop("schedule", {}))
        form = {"schedule": json.dumps(sched), "failureStrategy": "END", "warningType": "NONE",
                "warningGroupId": 0, "workerGroup": "default", "environmentCode": -1,
                ("workflowInstancePriority" if self.g3 else "processInstancePriority"):
                    "MEDIUM"}
        if not self.g1:
            form["tenantCode"] = "default"
        form.update(extra)
        return form


def shell(code: int, name: str, script: str = "echo hi", version: int = 1) -> dict[str, Any]:
    return {"code": code, "version": version, "name": name, "description": "",
            "taskType": "SHELL",
            "taskParams": {"rawScript": script, "localParams": [], "resourceList": []},
            "flag": "YES", "taskPriority": "MEDIUM", "workerGroup": "default",
            "environmentCode": -1, "failRetryTimes": 0, "failRetryInterval": 1,
            "timeoutFlag": "CLOSE", "timeoutNotifyStrategy": None, "timeout": 0,
            "delayTime": 0, "cpuQuota": -1, "memoryMax": -1, "taskExecuteType": "BATCH",
            "isCache": "NO"}  # 3.2/3.3 refuse a task without it (10001); others ignore it


def task(code: int, name: str, kind: str, params: Any) -> dict[str, Any]:
    return dict(shell(code, name), taskType=kind, taskParams=params)


def edge(pre: int, post: int) -> dict[str, Any]:
    return {"name": "", "preTaskCode": pre, "preTaskVersion": 0, "postTaskCode": post,
            "postTaskVersion": 0, "conditionType": "NONE", "conditionParams": {}}
