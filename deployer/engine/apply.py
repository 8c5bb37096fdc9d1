"""Apply a plan: dependency levels, a bounded pool per level, one client per worker thread.

Per workflow, the DolphinScheduler lifecycle (reference §7) dictates the order:
create (OFFLINE) or [release OFFLINE if ONLINE] -> update -> release to Git's state ->
schedule create/update (offline first if online) -> schedule online/offline per Git.
Deletes come last (parents before the children they reference).

A failure stops only that workflow and its dependents; everything finished stays deployed
and everything else is left untouched, so a rerun converges. Every step is either
idempotent or check-then-act in the client, so retries are safe.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from deployer.core.errors import ApiError, AuthError, DagshipError, TransportError
from deployer.engine import resources
from deployer.engine.plan import (
    CREATE,
    DELETE,
    DRIFTED,
    SCHEDULE_FIELDS,
    SCHEDULE_TIMES,
    UPDATE,
    Plan,
    WorkflowPlan,
    schedule_online,
)
from deployer.engine.translate import translate
from deployer.output.progress import Progress

if TYPE_CHECKING:
    from deployer.client import DSClient

OK, FAILED, SKIPPED = "ok", "failed", "skipped"
UNREACHABLE, AUTH_REJECTED = -1, -2  # Outcome.error_code of transport and token failures


@dataclass
class Outcome:
    name: str
    action: str
    status: str  # ok | failed | skipped
    steps: list[str] = field(default_factory=list)
    error: str | None = None
    error_code: int | None = None
    code: int | None = None  # workflow code after the apply


@dataclass
class ApplyResult:
    outcomes: list[Outcome]
    requests: int
    seconds: float
    project_created: bool = False
    error: str | None = None  # why nothing was applied (NotApplied); the outcomes are skipped

    @property
    def unreachable(self) -> bool:
        """The scheduler stopped answering or rejected the token part-way (exit 3)."""
        return any(o.error_code in (UNREACHABLE, AUTH_REJECTED) for o in self.outcomes)

    @property
    def auth_rejected(self) -> bool:
        return any(o.error_code == AUTH_REJECTED for o in self.outcomes)

    def by_status(self, status: str) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == status]

    @property
    def failed(self) -> bool:
        return self.error is not None or any(o.status == FAILED for o in self.outcomes)


class NotApplied(DagshipError):
    """Nothing of the plan was applied: creating the project (the step every workflow needs)
    failed. Exits as its cause does (3 for a rejected token or an unreachable scheduler, 4
    for a business error); `result` lets the caller still write the reports."""
    def __init__(self, cause: DagshipError, result: ApplyResult) -> None:
        super().__init__(cause.message)
        self.cause = cause
        self.result = result
        self.exit_code = cause.exit_code


class _Clients:
    """One DSClient per worker thread (requests.Session is not thread-safe); counts requests."""
    def __init__(self, make: Callable[[], DSClient]) -> None:
        self._make = make
        self._local = threading.local()
        self._all: list[DSClient] = []
        self._lock = threading.Lock()

    def get(self) -> DSClient:
        client: DSClient | None = getattr(self._local, "client", None)
        if client is None:
            client = self._make()
            self._local.client = client
            with self._lock:
                self._all.append(client)
        return client

    @property
    def requests(self) -> int:
        return sum(c.request_count for c in self._all)

    def close(self) -> None:
        for c in self._all:
            c.close()


def has_work(plan: Plan, on_drift: str) -> bool:
    return bool(to_apply(plan, on_drift) or plan.deletes
                or (plan.resources is not None and plan.resources.changed()))


def to_apply(plan: Plan, on_drift: str) -> list[WorkflowPlan]:
    """The plan items a deploy sends: creates, updates, and drifted ones under `overwrite`."""
    wanted = {CREATE, UPDATE} | ({DRIFTED} if on_drift == "overwrite" else set())
    return [i for i in plan.items if i.action in wanted]


def levels(items: Sequence[WorkflowPlan]) -> list[list[WorkflowPlan]]:
    """Topological levels: a workflow comes after the same-project workflows it needs.

    Dependencies on workflows not being applied are already satisfied. In a cycle (DS allows
    two workflows' dependents to name each other) one workflow whose pending dependencies all
    exist remotely goes first: their codes are known. A cycle of workflows that all have yet
    to be created never gets here (the plan refuses it, `Plan.cycles`); should one, it ends
    up in a last level, where the resolver reports what it cannot satisfy.
    """
    pending = {i.name: i for i in items}
    out: list[list[WorkflowPlan]] = []
    while pending:
        ready = [i for i in pending.values() if not (i.depends_on & set(pending))]
        if not ready:  # a cycle: break it at one workflow the others wait for
            needed = set().union(*(i.depends_on for i in pending.values()))
            ready = sorted((i for i in pending.values()
                            if all(pending[d].code is not None
                                   for d in i.depends_on & set(pending))),
                           key=lambda i: (i.name not in needed, i.name))[:1]
        if not ready:
            ready = list(pending.values())
        out.append(sorted(ready, key=lambda i: i.name))
        for i in ready:
            del pending[i.name]
    return out


def apply_plan(plan: Plan, make_client: Callable[[], DSClient], *, on_drift: str = "fail",
               parallel: int = 4, progress: Progress | None = None) -> ApplyResult:
    """Apply `plan`; raises NotApplied when the step every workflow needs (creating the
    project) fails, with a result saying so, for the reports."""
    started = time.monotonic()
    clients = _Clients(make_client)
    progress = progress or Progress(enabled=False)
    outcomes: list[Outcome] = []
    work = to_apply(plan, on_drift)
    plan.resolver.strict = True
    aborted: DagshipError | None = None
    project_created = False
    try:
        if plan.project_code is None and (work or plan.deletes):
            try:
                _create_project(plan, clients.get())
            except DagshipError as exc:
                aborted = exc
            project_created = plan.project_code is not None
        if aborted is None:
            outcomes = _resources_then_workflows(plan, work, clients, parallel, progress)
    finally:
        requests = clients.requests
        clients.close()
    result = ApplyResult(outcomes, requests, time.monotonic() - started, project_created)
    if aborted is not None:
        why = "not attempted: the deploy stopped before the first workflow"
        result.outcomes = [Outcome(i.name, i.action, SKIPPED, error=why)
                           for i in [*work, *_delete_order(plan.deletes)]]
        result.error = aborted.message
        raise NotApplied(aborted, result) from aborted
    return result


def _resources_then_workflows(plan: Plan, work: Sequence[WorkflowPlan], clients: _Clients,
                              parallel: int, progress: Progress) -> list[Outcome]:
    """Resource uploads first (the workflows point at them), resource deletes last."""
    if plan.resources is None:
        return _apply_all(plan, work, clients, parallel, progress)
    outcomes = [_resource_outcome(o) for o in resources.apply_uploads(plan.resources,
                                                                      clients.get())]
    if any(o.status == FAILED for o in outcomes):
        why = "not attempted: a resource upload failed (the workflows use the resources)"
        return outcomes + [Outcome(i.name, i.action, SKIPPED, error=why)
                           for i in [*work, *_delete_order(plan.deletes)]]
    outcomes += _apply_all(plan, work, clients, parallel, progress)
    if any(o.status == FAILED for o in outcomes):
        doomed = [i for i in plan.resources.items if i.action == resources.DELETE]
        return outcomes + [Outcome(f"resource {i.path}", i.action, SKIPPED,
                                   error="not attempted: a workflow failed and may still "
                                   "use it") for i in doomed]
    return outcomes + [_resource_outcome(o) for o in resources.apply_deletes(plan.resources,
                                                                             clients.get())]


def _resource_outcome(o: resources.ResourceOutcome) -> Outcome:
    return Outcome(f"resource {o.path}", o.action, OK if o.ok else FAILED,
                   steps=[o.action] if o.ok else [], error=o.error, error_code=o.error_code)


def _create_project(plan: Plan, c: DSClient) -> None:
    plan.project_code = int(c.create_project(plan.project, plan.project_description)["code"])
    plan.resolver.project_code = plan.project_code
    plan.generation = plan.generation or c.detect_generation(plan.project_code)


def _apply_all(plan: Plan, work: Sequence[WorkflowPlan], clients: _Clients, parallel: int,
               progress: Progress) -> list[Outcome]:
    outcomes: list[Outcome] = []
    progress.start(len(work) + len(plan.deletes), "applying", "applied")
    broken: set[str] = set()  # failed or skipped: their dependents cannot go
    unreachable = False
    for level in levels(work):
        ready = []
        for item in level:
            blocked = sorted(item.depends_on & broken)
            if blocked or unreachable:
                why = (f"depends on {', '.join(blocked)}, which was not deployed" if blocked
                       else "not attempted: the scheduler became unreachable")
                outcomes.append(Outcome(item.name, item.action, SKIPPED, error=why))
                broken.add(item.name)
                progress.advance(item.name, SKIPPED)
            else:
                ready.append(item)
        for outcome in _run_level(plan, ready, clients, parallel, progress):
            outcomes.append(outcome)
            if outcome.status != OK:
                broken.add(outcome.name)
                unreachable = unreachable or outcome.error_code in (UNREACHABLE, AUTH_REJECTED)
    for item in _delete_order(plan.deletes):
        if unreachable:
            outcomes.append(Outcome(item.name, DELETE, SKIPPED,
                                    error="not attempted: the scheduler became unreachable"))
        else:
            outcomes.append(_guard(item, _delete, plan, clients))
            unreachable = outcomes[-1].error_code in (UNREACHABLE, AUTH_REJECTED)
        progress.advance(item.name, outcomes[-1].status)
    progress.finish()
    return outcomes


def _run_level(plan: Plan, items: Sequence[WorkflowPlan], clients: _Clients, parallel: int,
               progress: Progress) -> Iterable[Outcome]:
    """Apply one level; once the scheduler is unreachable, the rest are skipped, not tried
    (each would wait out a whole retry deadline for nothing)."""
    down = threading.Event()

    def run(item: WorkflowPlan) -> Outcome:
        if down.is_set():
            return Outcome(item.name, item.action, SKIPPED,
                           error="not attempted: the scheduler became unreachable")
        outcome = _guard(item, _apply_one, plan, clients)
        if outcome.error_code in (UNREACHABLE, AUTH_REJECTED):
            down.set()
        return outcome

    if parallel <= 1 or len(items) <= 1:
        for item in items:
            progress.current(item.name)
            outcome = run(item)
            progress.advance(item.name, outcome.status)
            yield outcome
        return
    with ThreadPoolExecutor(max_workers=min(parallel, len(items)),
                            thread_name_prefix="dagship") as pool:
        futures = [pool.submit(run, item) for item in items]
        for future in as_completed(futures):
            outcome = future.result()
            progress.advance(outcome.name, outcome.status)
            yield outcome


def _guard(item: WorkflowPlan, step: Callable[[Plan, WorkflowPlan, DSClient], Outcome],
           plan: Plan, clients: _Clients) -> Outcome:
    """Turn an expected failure of one workflow into its outcome; bugs still propagate."""
    try:
        return step(plan, item, clients.get())
    except ApiError as exc:
        return Outcome(item.name, item.action, FAILED, error=exc.message, error_code=exc.code)
    except AuthError as exc:
        return Outcome(item.name, item.action, FAILED, error=exc.message,
                       error_code=AUTH_REJECTED)
    except TransportError as exc:
        return Outcome(item.name, item.action, FAILED, error=exc.message,
                       error_code=UNREACHABLE)
    except DagshipError as exc:
        return Outcome(item.name, item.action, FAILED, error=exc.message)


def _apply_one(plan: Plan, item: WorkflowPlan, c: DSClient) -> Outcome:
    spec = item.spec
    if spec is None or plan.project_code is None:
        raise ValueError(f"{item.name}: nothing to apply")
    pc = plan.project_code
    tr = translate(spec, plan.resolver, item.remote, lambda n: c.gen_task_codes(pc, n),
                   plan.commit)
    out = Outcome(item.name, item.action, OK)
    state = item.remote_state or "OFFLINE"
    sched = item.remote_schedule
    sched_state = str(sched.get("releaseState") or "OFFLINE") if sched else None
    if item.code is None:
        code = c.create_workflow(pc, tr.form)
        out.steps.append("created")
    else:
        code = item.code
        if item.definition_changed or item.adopted or item.drift or item.recommit:
            if state == "ONLINE":
                c.release_workflow(pc, code, "OFFLINE")
                state, sched_state = "OFFLINE", ("OFFLINE" if sched else None)
                out.steps.append("offline")
            c.update_workflow(pc, code, tr.form)
            out.steps.append("updated")
    out.code = code
    sched_id = int(sched["id"]) if sched else None
    if tr.schedule is not None and (sched is None or item.schedule_change):
        if sched_id is None:
            if state != "ONLINE":  # a schedule can only be created for an online workflow
                c.release_workflow(pc, code, "ONLINE")
                state = "ONLINE"
            sched_id = c.create_schedule(pc, code, tr.schedule)
            sched_state = "OFFLINE"
            out.steps.append("schedule created")
        elif sched is not None and _schedule_fields_differ(tr.schedule, sched):
            if sched_state == "ONLINE":
                c.set_schedule_state(pc, sched_id, False)
                sched_state = "OFFLINE"
            c.update_schedule(pc, sched_id, tr.schedule)
            out.steps.append("schedule updated")
    elif tr.schedule is None and sched_id is not None:
        if sched_state == "ONLINE":
            c.set_schedule_state(pc, sched_id, False)
        c.delete_schedule(pc, sched_id)
        sched_id = sched_state = None
        out.steps.append("schedule deleted")
    if state != spec.release_state:
        c.release_workflow(pc, code, spec.release_state)
        out.steps.append(spec.release_state.lower())
        state = spec.release_state
        if state == "OFFLINE" and sched_id is not None:
            sched_state = "OFFLINE"  # releasing OFFLINE takes the schedule offline too
    if sched_id is not None:
        want = "ONLINE" if schedule_online(spec) else "OFFLINE"
        if sched_state != want:
            c.set_schedule_state(pc, sched_id, want == "ONLINE")
            out.steps.append(f"schedule {want.lower()}")
    plan.resolver.record(item.name, _deployed_dag(item.name, code, tr.task_codes))
    return out


def _schedule_fields_differ(want: Mapping[str, Any], have: Mapping[str, Any]) -> bool:
    if any(str(have.get(k)) != str(want["schedule"][k]) for k in SCHEDULE_TIMES):
        return True
    return any(k in have and str(have.get(k)) != str(want[k]) for k in SCHEDULE_FIELDS)


def _deployed_dag(name: str, code: int, tasks: Mapping[str, int]) -> dict[str, Any]:
    """Enough of a DagData for dependents to resolve this workflow and its task codes."""
    return {"workflowDefinition": {"name": name, "code": code},
            "taskDefinitionList": [{"name": n, "code": c} for n, c in tasks.items()]}


def _delete(plan: Plan, item: WorkflowPlan, c: DSClient) -> Outcome:
    if plan.project_code is None or item.code is None:
        raise ValueError(f"{item.name}: nothing to delete")
    if item.referrers:
        # Before any step: taking it offline first would stop it and still not delete it.
        raise DagshipError(f"not deleted: still referenced by {', '.join(item.referrers)} "
                           "(a sub-workflow or dependent task); remove those references "
                           "first. Its state and schedule were left as they are")
    out = Outcome(item.name, DELETE, OK, code=item.code)
    sched = item.remote_schedule
    if sched and str(sched.get("releaseState")) == "ONLINE":
        c.set_schedule_state(plan.project_code, int(sched["id"]), False)
        out.steps.append("schedule offline")
    if item.remote_state == "ONLINE":
        c.release_workflow(plan.project_code, item.code, "OFFLINE")
        out.steps.append("offline")
    c.delete_workflow(plan.project_code, item.code)
    out.steps.append("deleted")
    return out


def _delete_order(deletes: Sequence[WorkflowPlan]) -> list[WorkflowPlan]:
    """Referrers before the workflows they reference (the server refuses the other order)."""
    codes: dict[int, str] = {d.code: d.name for d in deletes if d.code is not None}
    refs: dict[str, set[str]] = {}
    for d in deletes:
        found: set[str] = set()
        for task in (d.remote or {}).get("taskDefinitionList") or []:
            _collect_ints(task.get("taskParams"), codes, found)
        refs[d.name] = found - {d.name}
    ordered: list[WorkflowPlan] = []
    remaining = {d.name: d for d in deletes}
    while remaining:
        referenced = set().union(*(refs[n] for n in remaining))
        ready = [d for n, d in remaining.items() if n not in referenced] or list(
            remaining.values())
        for d in sorted(ready, key=lambda d: d.name):
            ordered.append(d)
            del remaining[d.name]
    return ordered


def _collect_ints(value: Any, codes: Mapping[int, str], found: set[str]) -> None:
    if isinstance(value, Mapping):
        for v in value.values():
            _collect_ints(v, codes, found)
    elif isinstance(value, list):
        for v in value:
            _collect_ints(v, codes, found)
    elif isinstance(value, int) and not isinstance(value, bool) and value in codes:
        found.add(codes[value])
