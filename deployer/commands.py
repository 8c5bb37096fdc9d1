"""`dagship plan`, `deploy` and `status`: the plain functions behind the click commands.

Order of a run: config -> target (flag or branch) -> load and validate every file (any error
finding: print them, send nothing) -> token from the environment -> one plan -> apply.
Each returns the process exit code (deployer.errors); expected failures raise DagshipError
and meet the CLI boundary. The steps (prepare, load_specs, make_plan, execute, echo, write...)
are public: rollback, status and pull are built from the same ones.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from deployer import errors
from deployer.config import Config, Target, load_config
from deployer.redact import MIN_SECRET_LENGTH, RedactingFilter, redact, register_secret

if TYPE_CHECKING:
    from deployer.apply import ApplyResult, NotApplied
    from deployer.client import DSClient
    from deployer.plan import Plan


@dataclass
class Run:
    config: Config
    target: Target
    token: str
    commit: str  # full id, `+dirty` when the shipped files differ from it; or "nogit"
    color: bool
    read: list[Path] = field(default_factory=list)  # every file the load read
    uncommitted: list[str] = field(default_factory=list)  # shipped files that differ


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to the sys.stderr of the moment, so a second run in one process (tests,
    embedding) never logs into a stream an earlier run's caller has since closed."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


def setup_logging(verbose: bool) -> None:
    log = logging.getLogger("dagship.http")
    if not any(isinstance(h, _StderrHandler) for h in log.handlers):
        handler = _StderrHandler()
        handler.addFilter(RedactingFilter())
        handler.setFormatter(logging.Formatter("%(name)s: %(message)s"))
        log.addHandler(handler)
    log.setLevel(logging.DEBUG if verbose else logging.WARNING)
    log.propagate = False


def color_of(flag: bool | None) -> bool:
    if flag is not None:
        return flag
    return bool(getattr(sys.stdout, "isatty", lambda: False)())


def echo(text: str, *, err: bool = False) -> None:
    click.echo(redact(text), err=err)


def write(path: str, text: str) -> None:
    if path == "-":
        sys.stdout.write(text)
        return
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise errors.UsageError(f"{path}: cannot write report: {exc.strerror}") from exc


def prepare(config_path: str | None, target_name: str | None, color: bool | None,
             verbose: bool, env: Mapping[str, str], *, merge_request: bool = False) -> Run | None:
    from deployer.targets import select_target, source_commit

    setup_logging(verbose)
    config = load_config(config_path)
    selection = select_target(config, target_name, env, merge_request=merge_request)
    if selection.target is None:
        echo(f"dagship: {selection.reason}")
        return None
    target = selection.target
    from deployer.client.transport import plain_http_warning

    if (warning := plain_http_warning(target.url)) is not None:
        echo(f"dagship: warning: targets.{target.name}.url: {warning}", err=True)
    token = target_token(target, env)
    return Run(config, target, token, source_commit(env, config.root), color_of(color))


def target_token(target: Target, env: Mapping[str, str]) -> str:
    """The target's token from its environment variable, registered for masking at once.

    A value too short to be a real token is refused before any use: masking it would turn
    ordinary words into `***` (a token `staging` masks `targets.staging`), and every real
    one is long enough that masking each of its occurrences can mangle nothing else."""
    token = env.get(target.token_env, "")
    register_secret(token)
    where = f"{target.token_env} (targets.{target.name}.token_env)"
    if not token.strip():
        raise errors.ConfigError(
            f"the token for target {target.name!r} is missing: set the environment variable "
            f"{where}")
    if len(token) < MIN_SECRET_LENGTH:
        raise errors.ConfigError(
            f"the token in {where} is {len(token)} characters long; a DolphinScheduler access "
            "token has 32 (Security > Token manage): set the variable to the token itself")
    return token


def load_specs(run: Run, env: Mapping[str, str], *, shown_as: str = "") -> list[Any]:
    """Every definition, validated for the target. `shown_as` prefixes the paths of the
    findings (`v1:` when the files are a Git ref's, not the working tree's)."""
    import dataclasses

    from deployer.definitions.repo import load_repository
    from deployer.findings import format_text, has_errors

    loaded = load_repository(run.config, target=run.target, env=env)
    run.read = loaded.read
    if loaded.findings:
        shown = [dataclasses.replace(f, path=shown_as + f.path) for f in loaded.findings]
        echo(format_text(shown, color=run.color), err=True)
    if has_errors(loaded.findings):
        n = sum(1 for f in loaded.findings if f.severity == "error")
        raise errors.ValidationFailed(f"{n} error(s) in workflow files; nothing was sent")
    return list(loaded.workflows)


def check_committed(run: Run, *, allow_dirty: bool, refuse: bool,
                    config: Config | None = None) -> None:
    """What a deploy ships must be the commit its markers record. Files that differ from
    HEAD refuse a deploy (`refuse`) unless `allow_dirty`; then, and for a plan, the commit
    is recorded and shown as `<commit>+dirty`, never as HEAD. A rollback gives the working
    tree's `config`: its definitions are a ref's, only dagship.yaml can be uncommitted."""
    from deployer import metadata
    from deployer.dirty import uncommitted

    if run.commit == "nogit" or metadata.is_dirty(run.commit):
        return
    run.uncommitted = uncommitted(config or run.config, run.read, run.target,
                                  definitions=config is None)
    if not run.uncommitted:
        return
    if refuse and not allow_dirty:
        shown = "\n  ".join(run.uncommitted)
        raise errors.DeployRefused(
            f"the working tree differs from commit {run.commit[:7]} in what this deploy "
            f"would ship, so its markers could not say where the definitions came from; "
            f"nothing was sent:\n  {shown}\ncommit the changes, or pass --allow-dirty to "
            f"deploy them anyway (the markers then record {run.commit[:7]}+dirty)")
    run.commit = run.commit + metadata.DIRTY


@contextmanager
def target_named(target: Target) -> Iterator[None]:
    """A rejected token (HTTP 401) or an address where nothing answers is the user's to fix
    in dagship.yaml or the environment: say which setting."""
    try:
        yield
    except errors.AuthError as exc:
        raise errors.AuthError(_auth_message(target, exc.message)) from exc
    except errors.NothingListens as exc:
        raise errors.NothingListens(
            f"target {target.name!r}: nothing answers at {target.url} (targets.{target.name}"
            f".url): {exc.message}; check the url and that DolphinScheduler is running (not "
            "retried)") from exc


def _auth_message(target: Target, message: str) -> str:
    return (f"{message}: the token in the environment variable {target.token_env} "
            f"(targets.{target.name}.token_env) is wrong or has expired, or its user is "
            "disabled; nothing was retried")


def new_client(target: Target, token: str, generation: str | None = None) -> DSClient:
    """A client with the target's settings; `generation`, once known, spares the probe."""
    from deployer.client import DSClient, RetryPolicy

    return DSClient(target.url, token, api_version=target.api_version or generation,
                    timeout=target.timeout, policy=RetryPolicy(deadline=target.deadline),
                    ca_bundle=target.ca_bundle)


def client_factory(run: Run, plan: Plan | None = None) -> Callable[[], DSClient]:
    """New clients speak the plan's generation once known (no probe per worker thread)."""

    def make() -> DSClient:
        return new_client(run.target, run.token, plan.generation if plan is not None else None)

    return make


def make_plan(run: Run, specs: list[Any], prune: bool, progress: bool | None) -> Plan:
    from deployer.plan import build_plan

    client = client_factory(run)()
    try:
        if progress is not False:
            echo(f"dagship: planning {len(specs)} workflow(s) against {run.target.name} "
                  f"({run.target.url})", err=True)
        with target_named(run.target):
            plan = build_plan(client, target=run.target.name, project=run.target.project,
                              api_version=run.target.api_version, specs=specs,
                              commit=run.commit, prune=prune or run.target.prune)
    finally:
        client.close()
    from deployer.plandetail import explain

    explain(plan, run.config, run.target)
    return plan


def _reports(plan: Plan, result: ApplyResult | None, json_path: str | None,
             markdown_path: str | None, dry_run: bool) -> None:
    from deployer.report import to_json, to_markdown

    if json_path:
        write(json_path, to_json(plan, result, dry_run=dry_run))
    if markdown_path:
        write(markdown_path, to_markdown(plan, result))


def _cycle_refusal(plan: Plan) -> errors.DeployRefused:
    from deployer.cycles import refusal

    return errors.DeployRefused(refusal(plan.items, plan.cycles))


def _report_not_applied(run: Run, plan: Plan, exc: NotApplied, json_path: str | None,
                        markdown_path: str | None) -> None:
    """Nothing was applied: the reports say so and why (a rejected token names its variable),
    so a CI job that uploads them finds them; the exit code stays the cause's."""
    if isinstance(exc.cause, errors.AuthError):
        exc.message = _auth_message(run.target, exc.cause.message)
    exc.result.error = exc.message
    _reports(plan, exc.result, json_path, markdown_path, dry_run=False)


def _drift_refusal(plan: Plan) -> errors.DeployRefused:
    lines = [f"  {i.name} ({i.path}): " + "; ".join(i.drift_detail) for i in plan.drifted]
    return errors.DeployRefused(
        f"{len(plan.drifted)} workflow(s) were edited outside dagship since the last deploy; "
        "nothing was sent. Re-run with --on-drift overwrite (Git wins) or --on-drift skip "
        "(leave them as they are):\n" + "\n".join(lines))


def _planned(config_path: str | None, target: str | None, color: bool | None, verbose: bool,
             env: Mapping[str, str] | None, prune: bool,
             progress: bool | None, *, merge_request: bool = False,
             deploy: bool = False, allow_dirty: bool = False) -> tuple[Run, Plan] | None:
    """The shared first half of plan and deploy: validate, check what is committed, plan,
    show the plan."""
    from deployer.report import plan_text

    env = os.environ if env is None else env
    run = prepare(config_path, target, color, verbose, env, merge_request=merge_request)
    if run is None:
        return None
    specs = load_specs(run, env)
    check_committed(run, allow_dirty=allow_dirty, refuse=deploy)
    plan = make_plan(run, specs, prune, progress)
    plan.uncommitted = run.uncommitted
    echo(plan_text(plan, color=run.color))
    return run, plan


def plan_command(*, target: str | None, json_path: str | None, markdown_path: str | None,
                 verbose: bool, progress: bool | None, on_drift: str, prune: bool,
                 config_path: str | None, color: bool | None,
                 env: Mapping[str, str] | None = None) -> int:
    # A plan on a merge request shows what merging would deploy (its target branch's target).
    planned = _planned(config_path, target, color, verbose, env, prune, progress,
                       merge_request=True)
    if planned is None:
        return errors.EXIT_OK
    _run, plan = planned
    _reports(plan, None, json_path, markdown_path, dry_run=True)
    if plan.cycles:  # no option lets a deploy past it: the plan itself fails
        raise _cycle_refusal(plan)
    if plan.drifted and on_drift == "fail":
        echo(f"dagship: {len(plan.drifted)} drifted workflow(s); `deploy` would refuse "
              "without --on-drift overwrite|skip", err=True)
    return errors.EXIT_OK


def deploy_command(*, target: str | None, json_path: str | None, markdown_path: str | None,
                   verbose: bool, progress: bool | None, dry_run: bool, prune: bool,
                   on_drift: str, parallel: int, config_path: str | None, color: bool | None,
                   allow_dirty: bool = False, env: Mapping[str, str] | None = None) -> int:
    planned = _planned(config_path, target, color, verbose, env, prune, progress,
                       deploy=not dry_run, allow_dirty=allow_dirty)
    if planned is None:
        return errors.EXIT_OK
    run, plan = planned
    return execute(run, plan, json_path=json_path, markdown_path=markdown_path,
                    progress=progress, dry_run=dry_run, on_drift=on_drift, parallel=parallel)


def execute(run: Run, plan: Plan, *, json_path: str | None, markdown_path: str | None,
             progress: bool | None, dry_run: bool, on_drift: str, parallel: int) -> int:
    """The second half of a deploy (also of a rollback to a ref): refuse, or apply and
    report."""
    from deployer.apply import NotApplied, apply_plan, to_apply
    from deployer.progress import Progress
    from deployer.report import result_text

    if plan.cycles:
        _reports(plan, None, json_path, markdown_path, dry_run=True)
        raise _cycle_refusal(plan)
    if plan.drifted and on_drift == "fail":
        _reports(plan, None, json_path, markdown_path, dry_run=True)
        raise _drift_refusal(plan)
    if dry_run or not (to_apply(plan, on_drift) or plan.deletes):
        _reports(plan, None, json_path, markdown_path, dry_run=dry_run)
        echo("dagship: dry run, nothing sent" if dry_run else "dagship: nothing to do")
        return errors.EXIT_OK
    bar = Progress(enabled=progress is not False, bar=None if progress is None else progress)
    try:
        result = apply_plan(plan, client_factory(run, plan), on_drift=on_drift,
                            parallel=parallel, progress=bar)
    except NotApplied as exc:  # creating the project failed (a 401 may come first there)
        _report_not_applied(run, plan, exc, json_path, markdown_path)
        raise
    echo(result_text(result, color=run.color))
    _reports(plan, result, json_path, markdown_path, dry_run=False)
    if result.auth_rejected:
        raise errors.AuthError(_auth_message(
            run.target, "the scheduler rejected the token part-way through the deploy (HTTP 401)"))
    if result.unreachable:
        raise errors.TransportError("the scheduler became unreachable part-way through the "
                                    "deploy; the workflows above marked ok were deployed, a "
                                    "rerun converges the rest")
    return errors.EXIT_PARTIAL if result.failed else errors.EXIT_OK

