"""`DSClient`: the DolphinScheduler operations the deploy engine needs, in 3.3+ names.

Idempotency, call by call:
- GET, PUT, DELETE, `release`, schedule `online`/`offline` and `gen-task-codes` are safe to
  repeat and simply run under the retry policy (unused task codes are harmless). On 3.1 a
  schedule already in the asked state answers 10126: that is success.
- Creating a project, workflow or schedule is not: those are check-then-act. Every attempt after
  a transport failure first looks the object up (project by name, workflow by name, schedule by
  workflow code) and adopts it if the lost answer had created it; a "name exists" answer
  (10019 / 10168 / 10204) on a retried attempt is resolved the same way.
- A delete that answers "not found" (50003 / 10203) on a retried attempt had succeeded.

Name lookups (`get_workflow`, and the check of a retried create): `query-by-name` on 3.2+;
on 3.1 `simple-list` (plus `GET .../{code}` when the DagData is wanted), because 3.1's
`query-by-name` joins the creator's tenant and misses every workflow of a tenant-less user.

Generation: pinned by `api_version`, else detected on first use of a project-scoped call (or by
`detect_generation`). Detection tells 3.3+ from 3.1/3.2 and picks 3.2; pin "3.1" for 3.1.x.

Contract changes against docs/design.md (all additive except the first):
- `generation` is `str | None`: None until pinned or detected (detection needs a project code).
- `find_schedule(project_code, workflow_code)`, `delete_schedule(project_code, schedule_id)`,
  `delete_project(project_code)`, `list_versions(project_code, code)`,
  `switch_version(project_code, code, version)`,
  `close()` / context manager, and `DSClient.from_target(target, token)` are extra.
- `list_datasources()` reads the paged `GET /datasources`; `list_schedules()` the paged
  `GET .../schedules` (3.1: `POST .../schedules/list`, as the paged list needs a workflow code).

The deadline bounds the waits between attempts; one attempt may still take up to `timeout`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from deployer.client.executor import Executor
from deployer.client.generations import G2, G3, Generation, JsonDict, generation_for
from deployer.client.retry import RetryPolicy
from deployer.client.steps import PAGE_SIZE, create_checked, delete_tolerant, paged
from deployer.client.transport import Transport
from deployer.core.errors import ApiError

if TYPE_CHECKING:
    from deployer.core.config import Target

PROJECT_EXISTS = 10019
WORKFLOW_EXISTS = 10168
SCHEDULE_EXISTS = 10204
WORKFLOW_NOT_FOUND = 50003
SCHEDULE_NOT_FOUND = 10203
PROJECT_NOT_FOUND = 10018
SCHEDULE_STATE_UNCHANGED = 10126  # 3.1 only
GEN_CODES_BATCH = 100


class DSClient:
    """A DolphinScheduler REST client speaking the 3.1, 3.2 and 3.3+ dialects."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        api_version: str | None = None,
        timeout: float = 30.0,
        policy: RetryPolicy | None = None,
        ca_bundle: str | None = None,
    ) -> None:
        self.policy = policy or RetryPolicy()
        self._http = Transport(
            base_url, token, timeout=timeout, policy=self.policy, ca_bundle=ca_bundle
        )
        self._gen: Generation | None = generation_for(api_version) if api_version else None
        self.pinned = api_version is not None

    @classmethod
    def from_target(
        cls, target: Target, token: str, *, policy: RetryPolicy | None = None
    ) -> DSClient:
        """A client configured from a dagship.yaml target (timeout, deadline, TLS, version)."""
        return cls(
            target.url,
            token,
            api_version=target.api_version,
            timeout=target.timeout,
            policy=policy or RetryPolicy(deadline=target.deadline),
            ca_bundle=target.ca_bundle,
        )

    def __repr__(self) -> str:  # never the token
        return f"DSClient({self.base_url!r}, generation={self.generation!r})"

    @property
    def base_url(self) -> str:
        return self._http.base_url

    @property
    def request_count(self) -> int:
        """HTTP requests actually sent, retries included."""
        return self._http.request_count

    @property
    def generation(self) -> str | None:
        """The dialect ("3.1", "3.2", "3.3") once pinned or detected; None before."""
        return self._gen.name if self._gen else None

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> DSClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- generation --------------------------------------------------------------------------
    def detect_generation(self, project_code: int) -> str:
        """Probe `workflow-definition/simple-list`: a JSON envelope means 3.3+, else 3.2.

        A pinned `api_version` wins and sends nothing. 3.1 cannot be told from 3.2 this way.
        """
        return self._g(project_code).name

    def _g(self, project_code: int) -> Generation:
        if self._gen is None:
            path = f"/projects/{project_code}/workflow-definition/simple-list"
            answer = self.policy.run(lambda _: self._http.exchange("GET", path), f"GET {path}")
            if answer.status == 401:
                self._http.check("GET", path, answer)  # raises AuthError
            self._gen = G3 if answer.envelope is not None and answer.status != 404 else G2
        return self._gen

    def executor(self) -> Executor:
        """Starts and follows workflow instances (deployer.client.executor)."""
        return Executor(self._http, self._g)

    # -- projects ----------------------------------------------------------------------------
    def find_project(self, name: str) -> JsonDict | None:
        """The project with exactly this name (there is no get-by-name endpoint)."""
        return _by_name(self._http.call("GET", "/projects/list"), name)

    def list_projects(self) -> list[JsonDict]:
        """Every project the token's user sees (`pull` names a dependent's foreign project)."""
        found = self._http.call("GET", "/projects/list")
        return [dict(p) for p in found] if isinstance(found, list) else []

    def _find_project_once(self, name: str) -> JsonDict | None:
        return _by_name(self._http.once("GET", "/projects/list"), name)

    def create_project(self, name: str, description: str = "") -> JsonDict:
        form = {"projectName": name, "description": description}
        data = create_checked(
            self._http,
            "POST",
            "/projects",
            form,
            lookup=lambda: self._find_project_once(name),
            exists_code=PROJECT_EXISTS,
        )
        return dict(data)

    def delete_project(self, project_code: int) -> None:
        """Delete an empty project (one that still has workflows answers 10137)."""
        delete_tolerant(self._http, f"/projects/{project_code}", PROJECT_NOT_FOUND)

    # -- workflows ---------------------------------------------------------------------------
    def list_workflows(self, project_code: int) -> list[JsonDict]:
        """Every workflow of the project as DagData (3.3+ keys)."""
        g = self._g(project_code)
        data = self._http.call("GET", g.workflow_path(project_code, "list"))
        return [g.dag(item) for item in data or []]

    def get_workflow(self, project_code: int, name: str) -> JsonDict | None:
        """DagData of the workflow called `name`, or None if there is none.

        3.2+: one `query-by-name`. 3.1: `simple-list`, then `GET .../{code}` (two requests),
        as 3.1's `query-by-name` misses every workflow whose creator has no tenant.
        """
        return self._get_workflow(project_code, name, once=False)

    def _get_workflow(self, project_code: int, name: str, *, once: bool) -> JsonDict | None:
        g = self._g(project_code)
        send = self._http.once if once else self._http.call
        try:
            if g.query_by_name:
                path = g.workflow_path(project_code, "query-by-name")
                data = send("GET", path, {"name": name})
            else:
                found = self._listed_workflow(project_code, name, once=once)
                if found is None:
                    return None
                data = send("GET", g.workflow_path(project_code, int(found["code"])))
        except ApiError as exc:
            if exc.code == WORKFLOW_NOT_FOUND:
                return None
            raise
        return g.dag(data)

    def _listed_workflow(self, project_code: int, name: str, *, once: bool) -> JsonDict | None:
        """`{id, code, name, projectCode}` of the workflow called `name`, from `simple-list`."""
        send = self._http.once if once else self._http.call
        path = self._g(project_code).workflow_path(project_code, "simple-list")
        return _by_name(send("GET", path), name)

    def _workflow_code_once(self, project_code: int, name: str) -> JsonDict | None:
        """What a create adopts after a lost answer: only its `code` is used (one request)."""
        if not self._g(project_code).query_by_name:
            return self._listed_workflow(project_code, name, once=True)
        dag = self._get_workflow(project_code, name, once=True)
        return dict(dag["workflowDefinition"]) if dag else None

    def create_workflow(self, project_code: int, form: Mapping[str, Any]) -> int:
        """Create a workflow (it starts OFFLINE); returns its code."""
        g = self._g(project_code)
        name = str(form["name"])
        data = create_checked(
            self._http,
            "POST",
            g.workflow_path(project_code),
            g.workflow_form(form),
            lookup=lambda: self._workflow_code_once(project_code, name),
            exists_code=WORKFLOW_EXISTS,
        )
        return int(data["code"])

    def update_workflow(self, project_code: int, code: int, form: Mapping[str, Any]) -> None:
        """Full replacement of the definition; the workflow must be OFFLINE (else 50008)."""
        g = self._g(project_code)
        self._http.call("PUT", g.workflow_path(project_code, code), g.workflow_form(form))

    def release_workflow(self, project_code: int, code: int, state: str) -> None:
        if state not in ("ONLINE", "OFFLINE"):
            raise ValueError(f"release state must be ONLINE or OFFLINE, not {state!r}")
        g = self._g(project_code)
        path = g.workflow_path(project_code, code, "release")
        self._http.call("POST", path, {"releaseState": state})

    def delete_workflow(self, project_code: int, code: int) -> None:
        path = self._g(project_code).workflow_path(project_code, code)
        delete_tolerant(self._http, path, WORKFLOW_NOT_FOUND)

    def list_versions(self, project_code: int, code: int) -> list[JsonDict]:
        """Every stored version of a workflow (definition-log rows: `version`, `operator`,
        `operateTime` and the definition fields), as the server pages them."""
        g = self._g(project_code)
        rows = paged(self._http, g.workflow_path(project_code, code, "versions"), {})
        return [g.definition(row) for row in rows]

    def switch_version(self, project_code: int, code: int, version: int) -> None:
        """Make a stored version the current definition (a state-changing GET).

        The server copies that version's row and relations back in place, creates no new
        version, writes OFFLINE into the workflow and leaves its schedule alone, so callers
        take an ONLINE workflow offline first (the release endpoint also takes the schedule
        offline) and restore both afterwards. Repeating it changes nothing more: safe to retry.
        """
        g = self._g(project_code)
        self._http.call("GET", g.workflow_path(project_code, code, "versions", version))

    def gen_task_codes(self, project_code: int, n: int) -> list[int]:
        """`n` fresh task codes, fetched in batches of at most 100."""
        codes: list[int] = []
        path = f"/projects/{project_code}/task-definition/gen-task-codes"
        while len(codes) < n:
            batch = min(GEN_CODES_BATCH, n - len(codes))
            codes.extend(int(c) for c in self._http.call("GET", path, {"genNum": batch}))
        return codes

    # -- schedules ---------------------------------------------------------------------------
    def list_schedules(self, project_code: int) -> list[JsonDict]:
        """Every schedule of the project, 3.3+ field names."""
        g = self._g(project_code)
        path = f"/projects/{project_code}/schedules"
        if g.workflow_tenant:  # 3.1: the paged list needs a workflow code; use the full list
            rows = self._http.call("POST", f"{path}/list")
        else:
            rows = paged(self._http, path, {})
        return [g.schedule(row) for row in rows or []]

    def find_schedule(self, project_code: int, workflow_code: int) -> JsonDict | None:
        """The schedule of one workflow, or None."""
        return self._find_schedule(project_code, workflow_code, once=False)

    def _find_schedule(
        self, project_code: int, workflow_code: int, *, once: bool
    ) -> JsonDict | None:
        g = self._g(project_code)
        params = {
            "pageNo": 1,
            "pageSize": PAGE_SIZE,
            g.param("workflowDefinitionCode"): workflow_code,
        }
        send = self._http.once if once else self._http.call
        page = send("GET", f"/projects/{project_code}/schedules", params)
        for row in (page or {}).get("totalList") or []:
            schedule = g.schedule(row)
            if schedule.get("workflowDefinitionCode") == workflow_code:
                return schedule
        return None

    def create_schedule(
        self, project_code: int, workflow_code: int, form: Mapping[str, Any]
    ) -> int:
        """Create the workflow's schedule (it starts OFFLINE); returns its id."""
        g = self._g(project_code)
        body = g.schedule_form({**form, "workflowDefinitionCode": workflow_code})
        data = create_checked(
            self._http,
            "POST",
            f"/projects/{project_code}/schedules",
            body,
            lookup=lambda: self._find_schedule(project_code, workflow_code, once=True),
            exists_code=SCHEDULE_EXISTS,
        )
        return int(data["id"])

    def update_schedule(self, project_code: int, schedule_id: int, form: Mapping[str, Any]) -> None:
        """Replace the schedule's fields; it must be OFFLINE (else 10023). Send every field."""
        g = self._g(project_code)
        path = f"/projects/{project_code}/schedules/{schedule_id}"
        self._http.call("PUT", path, g.schedule_form(form))

    def set_schedule_state(self, project_code: int, schedule_id: int, online: bool) -> None:
        action = "online" if online else "offline"
        path = f"/projects/{project_code}/schedules/{schedule_id}/{action}"
        try:
            self._http.call("POST", path)
        except ApiError as exc:
            if exc.code != SCHEDULE_STATE_UNCHANGED:  # 3.1: already in that state
                raise

    def delete_schedule(self, project_code: int, schedule_id: int) -> None:
        """Delete an OFFLINE schedule (an ONLINE one answers 50023)."""
        delete_tolerant(
            self._http, f"/projects/{project_code}/schedules/{schedule_id}", SCHEDULE_NOT_FOUND
        )

    # -- lookups -----------------------------------------------------------------------------
    def list_datasources(self) -> list[JsonDict]:
        return [dict(row) for row in paged(self._http, "/datasources", {})]

    def list_environments(self) -> list[JsonDict]:
        data = self._http.call("GET", "/environment/query-environment-list")
        return [dict(row) for row in data or []]

    # -- helpers -----------------------------------------------------------------------------


def _by_name(items: Any, name: str) -> JsonDict | None:
    for item in items or []:
        if item.get("name") == name:
            return dict(item)
    return None
