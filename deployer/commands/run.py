"""`dagship run --target T WORKFLOW...`: start deployed workflows, optionally wait for them.

The workflows are the ones deployed in the target's project (by name); nothing is read from
Git, so `run` tests what the scheduler has. With `projects:` a name is looked up in every
project of the target and must be deployed in exactly one; `finance/report` (a project key,
`/`, the name) says which project when several have one of that name.

Exit codes (deployer.core.errors): 0 every instance succeeded (or, without --wait, every
start was accepted), 6 one ended in FAILURE, 7 one was stopped or killed, 8 --timeout passed
first (the instances are left running); with several outcomes the first of failed, killed,
timed out wins.

`deploy --smoke` runs the target's `smoke:` through `run_workflows` after its apply.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass

from deployer.client.api import DSClient
from deployer.client.executor import Executor, StartRequest
from deployer.commands.locate import locate, projects_of
from deployer.core import errors
from deployer.core.config import Config
from deployer.engine.follow import InstanceRun, TaskRun, follow
from deployer.engine.run_report import change_line, junit, markdown, status_line, summary
from deployer.engine.session import Session, SessionOptions, open_session
from deployer.output.console import echo, write_report
from deployer.output.progress import interactive

__all__ = ["RunOptions", "RunSpec", "parse_params", "run_command", "run_workflows"]

NO_TENANT = 50027  # 3.1: TENANT_NOT_SUITABLE, the creator has no tenant
LOG_LINES = 30  # lines of each failed task's log printed and put into the reports


@dataclass(frozen=True, kw_only=True)
class RunSpec:
    """What to run and how (shared by `run` and a smoke run)."""

    workflows: tuple[str, ...]
    wait: bool = True
    timeout: float | None = None  # seconds; None: wait as long as it takes
    params: Mapping[str, str] | None = None  # start parameters (startParams)
    dry_run: bool = False  # DolphinScheduler's dry run: the DAG without task bodies
    test_flag: bool = False  # 3.2+: run against the test data sources
    poll: float = 2.0  # seconds between polls
    log_lines: int = LOG_LINES
    junit_path: str | None = None
    markdown_path: str | None = None
    progress: bool | None = None  # None: a redrawn line in a terminal, lines in CI


@dataclass(frozen=True, kw_only=True)
class RunOptions(SessionOptions):
    spec: RunSpec


def parse_params(pairs: tuple[str, ...] | list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise errors.UsageError(f"--param {pair!r}: expected KEY=VALUE, e.g. dt=2024-01-01")
        out[key.strip()] = value
    return out


def run_command(config: Config, options: RunOptions,
                env: Mapping[str, str] | None = None) -> int:
    env = os.environ if env is None else env
    if not options.spec.workflows:
        raise errors.UsageError("name at least one workflow to run")
    session = open_session(config, options, env)
    if session is None:  # said why; a run asked for and not done is no success
        raise errors.UsageError("nothing was started: name the target with --target")
    return run_workflows(session, options.spec,
                         projects=projects_of(config, session.target, env))


def run_workflows(session: Session, spec: RunSpec, *, client: DSClient | None = None,
                  projects: Mapping[str, str] | None = None) -> int:
    """Run `spec` on the session's target; `projects` (projects_of) where the names are
    looked up, by default the session's one project."""
    own = client is None
    client = client or session.client()
    try:
        with session.target_named():
            return _run(session, client, spec, projects or {"": session.target.project})
    finally:
        if own:
            client.close()


def _run(session: Session, client: DSClient, spec: RunSpec,
         projects: Mapping[str, str]) -> int:
    target = session.target
    found = locate(client, target, projects, spec.workflows)
    for f in found:
        if (f.dag.get("workflowDefinition") or {}).get("releaseState") != "ONLINE":
            raise errors.UsageError(
                f"workflow {f.shown!r} is offline on {target.name!r}: DolphinScheduler only "
                "starts online workflows (deploy it with `release_state: online`, the default)")
    if spec.test_flag and client.generation == "3.1":
        raise errors.UsageError("--test: DolphinScheduler 3.1 has no test flag (it came "
                                "with 3.2); nothing was started")
    executor = client.executor()
    runs = []
    for f in found:
        name, pc = f.shown, f.project_code
        req = StartRequest(int(f.dag["workflowDefinition"]["code"]), dict(spec.params or {}),
                           dry_run=spec.dry_run, test_flag=spec.test_flag)
        started = time.monotonic()
        try:
            iid = executor.start(pc, req, poll=min(spec.poll, 1.0))
        except errors.ApiError as exc:
            if exc.code == NO_TENANT:
                exc.message += (
                    f"; DolphinScheduler 3.1 starts {name!r} only when the user who deployed "
                    "it has a tenant: create one (Security > Tenant Manage, named after an OS "
                    "user of the workers) and give it to the token's user")
            raise
        runs.append(InstanceRun(name, iid, dry_run=spec.dry_run, started=started,
                                project_code=pc))
        echo(f"dagship: started {name} as instance {iid}"
             f"{' (dry run)' if spec.dry_run else ''} on {target.name}", err=True)
    if not spec.wait:
        return errors.EXIT_OK
    display = _Display(runs, spec.progress)
    finished = follow(executor, runs, timeout=spec.timeout, poll=spec.poll,
                      on_change=display.change, on_poll=display.redraw)
    display.close()
    for run in runs:
        for task in run.failed_tasks:
            task.log_tail = _tail(executor, task, spec.log_lines)
    echo(summary(runs), err=True)
    if spec.junit_path:
        write_report(spec.junit_path, junit(runs))
    if spec.markdown_path:
        write_report(spec.markdown_path, markdown(runs, target.name))
    return _verdict(runs, finished, spec)


def _tail(executor: Executor, task: TaskRun, lines: int) -> list[str]:
    try:
        return executor.log_tail(task.id, lines)
    except errors.ApiError as exc:  # the run's verdict matters more than its log
        return [f"(the log could not be read: {exc.message})"]


def _verdict(runs: list[InstanceRun], finished: bool, spec: RunSpec) -> int:
    failed = [r for r in runs if r.outcome == "failed"]
    killed = [r for r in runs if r.outcome == "killed"]
    if failed:
        raise errors.RunFailed(_names(failed, "failed"))
    if killed:
        raise errors.RunKilled(_names(killed, "was stopped or killed"))
    if not finished:
        going = [r for r in runs if not r.final]
        raise errors.RunTimedOut(
            f"{_names(going, 'still running')} after --timeout {spec.timeout:g} s; left "
            "running on the scheduler (stop it in the UI if it must not finish)")
    return errors.EXIT_OK


def _names(runs: list[InstanceRun], what: str) -> str:
    shown = ", ".join(f"{r.workflow} (instance {r.instance_id})" for r in runs)
    return f"{shown} {what}"


class _Display:
    """A redrawn status line on a terminal; one line per state change elsewhere (CI)."""

    def __init__(self, runs: list[InstanceRun], progress: bool | None) -> None:
        self.runs = runs
        self.bar = interactive(sys.stderr) if progress is None else progress
        self.drawn = False

    def change(self, run: InstanceRun, task: TaskRun | None, old: str | None) -> None:
        if self.bar:
            if task is None and run.final:  # keep the end of each instance on screen
                self._clear()
                echo(change_line(run, task, old), err=True)
            return
        echo(change_line(run, task, old), err=True)

    def redraw(self) -> None:
        if self.bar:
            sys.stderr.write("\r\x1b[K" + status_line(self.runs)[:200])
            sys.stderr.flush()
            self.drawn = True

    def _clear(self) -> None:
        if self.drawn:
            sys.stderr.write("\r\x1b[K")
            self.drawn = False

    def close(self) -> None:
        self._clear()
