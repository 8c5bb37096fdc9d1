#!/usr/bin/env python3
"""What does adopting a project cost: `dagship pull`, then `fmt --check` and a no-op deploy?

Against the embedded sandbox (real HTTP on localhost): --workflows workflows (default 200)
of --tasks tasks (default 20: multi-line Shell and SQL scripts, a DAG, a schedule) are
created through the API without dagship's marker, as the UI would. Then, each in a fresh
process (start-up included), in an empty data repository:

1. `dagship pull` (target: a handful of requests, not one per workflow);
2. `dagship pull` again (byte-identical files: nothing written);
3. `dagship fmt --check` over the pulled files (target: exit 0, nothing to change);
4. `dagship deploy` of the pulled files (target: nothing sent, no new version).

Requests are counted by the server. Prints a table; exits 1 when a target is missed.

    .venv/bin/python bench/pull_bench.py [--workflows 200] [--tasks 20]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from deployer.client import DSClient, RetryPolicy  # noqa: E402 - after the path set-up
from deployer.sandbox import Sandbox  # noqa: E402

PROJECT = "bench"
DAGSHIP = str(Path(sys.executable).parent / "dagship")


def _task(code: int, i: int, t: int) -> dict:
    sql = t % 3 == 2
    script = "".join(f"echo step {t} line {n} of {i}\n" for n in range(6))
    params = ({"type": "POSTGRESQL", "datasource": 1, "sql": f"select {t}\nfrom t{i}",
               "sqlType": "0", "preStatements": [], "postStatements": [], "sendEmail": False,
               "showType": "TABLE", "connParams": "", "title": "", "groupId": 0,
               "displayRows": 10, "localParams": [], "resourceList": []} if sql
              else {"rawScript": script, "localParams": [], "resourceList": []})
    return {"code": code, "version": 1, "name": f"t{t:02d}", "description": "",
            "taskType": "SQL" if sql else "SHELL", "taskParams": params, "flag": "YES",
            "taskPriority": "MEDIUM", "workerGroup": "default", "environmentCode": -1,
            "failRetryTimes": 0, "failRetryInterval": 1, "timeoutFlag": "CLOSE",
            "timeout": 0, "delayTime": 0, "taskGroupId": 0, "taskGroupPriority": 0,
            "cpuQuota": -1, "memoryMax": -1, "taskExecuteType": "BATCH"}


def populate(sb: Sandbox, workflows: int, tasks: int) -> None:
    c = DSClient(sb.base_url, sb.token, policy=RetryPolicy(initial_wait=0.001))
    try:
        pc = int(c.create_project(PROJECT)["code"])
        for i in range(workflows):
            codes = c.gen_task_codes(pc, tasks)
            rels = [{"name": "", "preTaskCode": codes[t - 1] if t else 0, "preTaskVersion": 0,
                     "postTaskCode": codes[t], "postTaskVersion": 0, "conditionType": "NONE",
                     "conditionParams": {}} for t in range(tasks)]
            code = c.create_workflow(pc, {
                "name": f"wf_{i:03d}", "description": f"workflow {i}", "globalParams": [],
                "locations": [], "timeout": 0, "executionType": "PARALLEL",
                "taskDefinitionJson": [_task(codes[t], i, t) for t in range(tasks)],
                "taskRelationJson": rels})
            c.release_workflow(pc, code, "ONLINE")
            sid = c.create_schedule(pc, code, {
                "schedule": {"startTime": "2024-01-01 00:00:00",
                             "endTime": "2099-12-31 23:59:59",
                             "crontab": f"0 {i % 60} 2 * * ? *", "timezoneId": "UTC"},
                "failureStrategy": "END", "warningType": "NONE", "warningGroupId": 0,
                "workflowInstancePriority": "MEDIUM", "workerGroup": "default",
                "tenantCode": "default", "environmentCode": -1})
            c.set_schedule_state(pc, sid, True)
    finally:
        c.close()


def timed(sb: Sandbox, repo: Path, *args: str) -> tuple[float, int, subprocess.CompletedProcess]:
    env = dict(os.environ, DS_TOKEN=sb.token)
    served = sb.request_count
    start = time.perf_counter()
    done = subprocess.run([DAGSHIP, *args], cwd=repo, env=env, capture_output=True, text=True,
                          check=False)
    return time.perf_counter() - start, sb.request_count - served, done


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--workflows", type=int, default=200)
    ap.add_argument("--tasks", type=int, default=20)
    args = ap.parse_args()
    failed = False
    with Sandbox(datasources={"pg": "POSTGRESQL"}) as sb, tempfile.TemporaryDirectory() as tmp:
        populate(sb, args.workflows, args.tasks)
        repo = Path(tmp)
        (repo / "dagship.yaml").write_text(
            f"targets:\n  bench:\n    url: {sb.base_url}\n    token_env: DS_TOKEN\n"
            f"    project: {PROJECT}\n    branches: [main]\n", encoding="utf-8")
        versions = {w["name"]: w["version"] for w in sb.state.workflows(PROJECT)}
        print(f"{args.workflows} workflows x {args.tasks} tasks\n")
        print(f"{'step':<28}{'seconds':>9}{'requests':>10}  result")
        steps = [("pull", ("pull", "--target", "bench")),
                 ("pull again", ("pull", "--target", "bench")),
                 ("fmt --check", ("fmt", "--check")),
                 ("deploy (pulled files)", ("deploy", "--target", "bench", "--no-progress"))]
        for label, argv in steps:
            seconds, requests, done = timed(sb, repo, *argv)
            last = (done.stdout.strip().splitlines() or [""])[-1]
            print(f"{label:<28}{seconds:>9.2f}{requests:>10}  exit {done.returncode}: {last}")
            failed |= done.returncode != 0
            if label.startswith("pull"):
                failed |= requests > 10
        failed |= {w["name"]: w["version"] for w in sb.state.workflows(PROJECT)} != versions
    print("\nFAILED a target" if failed else "\nall targets met")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
