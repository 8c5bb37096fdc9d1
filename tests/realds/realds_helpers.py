"""Shared by the real-server smoke tests: the server's address and repository helpers."""

from __future__ import annotations

import re
from dataclasses import dataclass

from deployer.client import DSClient, RetryPolicy
from deployer.errors import ApiError

TOKEN_ENV = "DAGSHIP_REAL_DS_TOKEN"


@dataclass(frozen=True)
class RealDS:
    url: str
    token: str
    version: str  # API dialect: "3.1", "3.2", "3.3"

    def client(self) -> DSClient:
        return DSClient(self.url, self.token, api_version=self.version, timeout=30.0,
                        policy=RetryPolicy(deadline=60.0))


def sql_to_shell(text: str) -> str:
    """Turn the examples' SQL tasks into Shell tasks that carry the same text.

    The examples' SQL tasks name the datasource `pg_staging`; a real server refuses to
    create a datasource it cannot connect to (3.1.1: 10016 "data source connection failed"),
    and there is no database here. The graph (sub-workflow, dependent, switch, condition)
    stays exactly as in examples/.
    """
    text = text.replace("task_type: Sql", "task_type: Shell")
    text = re.sub(r"^ +(datasource_name|display_rows):.*\n", "", text, flags=re.MULTILINE)
    return re.sub(r"^(\s+)sql:", r"\1command:", text, flags=re.MULTILINE)


def repo_config(ds: RealDS, project: str) -> str:
    return (
        "workflows: [workflows/]\n"
        "targets:\n"
        "  real:\n"
        f"    url: {ds.url}\n"
        f"    token_env: {TOKEN_ENV}\n"
        f"    project: {project}\n"
        "    branches: ['*']\n"
        f'    api_version: "{ds.version}"\n'
        "    timeout: 30\n"
        "    deadline: 60\n"
        "    variables:\n"
        "      datasource: pg_staging\n"
        "      worker_group: default\n"
        "      landing_path: /data/landing/staging\n"
        "      alert_email: data-team-staging@example.com\n"
        "      report_schema: reporting_staging\n"
    )


def remove_project(c: DSClient, name: str) -> None:
    found = c.find_project(name)
    if found is None:
        return
    pc = int(found["code"])
    for sched in c.list_schedules(pc):
        if sched.get("releaseState") == "ONLINE":
            c.set_schedule_state(pc, int(sched["id"]), False)
    pending = {int(d["workflowDefinition"]["code"]): d for d in c.list_workflows(pc)}
    for code, dag in pending.items():
        if dag["workflowDefinition"].get("releaseState") == "ONLINE":
            c.release_workflow(pc, code, "OFFLINE")
    # Referrers first; the server may refuse to delete a referenced workflow, so go in rounds.
    for _round in range(len(pending) + 1):
        for code in list(pending):
            try:
                c.delete_workflow(pc, code)
            except ApiError:
                continue
            del pending[code]
        if not pending:
            break
    assert not pending, f"could not delete workflows {sorted(pending)}"
    c.delete_project(pc)
