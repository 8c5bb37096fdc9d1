"""Edits made the way DolphinScheduler's UI makes them: for the drift tests (sandbox and real)."""

from __future__ import annotations

from deployer.client import DSClient


def edit_task_script(c: DSClient, project_code: int, workflow: str, task: str,
                     script: str) -> None:
    """Change one task's script as the UI does: offline, PUT the whole definition, online."""
    dag = c.get_workflow(project_code, workflow)
    assert dag is not None, workflow
    wf = dag["workflowDefinition"]
    tasks = dag["taskDefinitionList"]
    for t in tasks:
        if t["name"] == task:
            t["taskParams"] = {**t["taskParams"], "rawScript": script}
    online = wf["releaseState"] == "ONLINE"
    if online:
        c.release_workflow(project_code, wf["code"], "OFFLINE")
    c.update_workflow(project_code, wf["code"], {
        "name": wf["name"], "description": wf["description"],
        "globalParams": wf.get("globalParams") or [], "locations": wf.get("locations") or [],
        "timeout": wf.get("timeout") or 0, "executionType": wf.get("executionType"),
        "taskDefinitionJson": tasks, "taskRelationJson": dag["workflowTaskRelationList"]})
    if online:
        c.release_workflow(project_code, wf["code"], "ONLINE")
