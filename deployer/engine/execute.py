"""The second half of a deploy (and of `rollback --to`): refuse, or apply the plan, then
report. The reports are written whatever happens once a plan exists (refused for drift or
a cycle, nothing to do, applied in part, the project could not be created), so a CI job
that uploads them always finds them; the exit code says how it went.
"""

from __future__ import annotations

from dataclasses import dataclass

from deployer.core import errors
from deployer.engine.apply import ApplyResult, NotApplied, apply_plan, to_apply
from deployer.engine.cycles import refusal
from deployer.engine.plan import Plan
from deployer.engine.report import result_text, to_json, to_markdown
from deployer.engine.session import ReportOptions, Session
from deployer.output.console import echo, write_report
from deployer.output.progress import Progress


@dataclass(frozen=True, kw_only=True)
class DeployOptions(ReportOptions):
    """`deploy` (and `rollback --to`): what to send and how."""

    dry_run: bool = False  # validate and plan, send nothing
    prune: bool = False  # delete dagship-managed workflows gone from Git
    on_drift: str = "fail"  # fail | overwrite | skip: workflows edited in the UI
    parallel: int = 4  # workflows applied at once (dependencies still go first)
    allow_dirty: bool = False  # deploy files that differ from HEAD; markers say <commit>+dirty


def write_reports(plan: Plan, result: ApplyResult | None, options: ReportOptions, *,
                  dry_run: bool) -> None:
    if options.json_path:
        write_report(options.json_path, to_json(plan, result, dry_run=dry_run))
    if options.markdown_path:
        write_report(options.markdown_path, to_markdown(plan, result))


def cycle_refusal(plan: Plan) -> errors.DeployRefused:
    return errors.DeployRefused(refusal(plan.items, plan.cycles))


def _drift_refusal(plan: Plan) -> errors.DeployRefused:
    lines = [f"  {i.name} ({i.path}): " + "; ".join(i.drift_detail) for i in plan.drifted]
    return errors.DeployRefused(
        f"{len(plan.drifted)} workflow(s) were edited outside dagship since the last deploy; "
        "nothing was sent. Re-run with --on-drift overwrite (Git wins) or --on-drift skip "
        "(leave them as they are):\n" + "\n".join(lines))


def _report_not_applied(session: Session, plan: Plan, exc: NotApplied,
                        options: DeployOptions) -> None:
    """Nothing was applied: the reports say so and why (a rejected token names its
    variable); the exit code stays the cause's."""
    if isinstance(exc.cause, errors.AuthError):
        exc.message = session.auth_message(exc.cause.message)
    exc.result.error = exc.message
    write_reports(plan, exc.result, options, dry_run=False)


def execute(session: Session, plan: Plan, options: DeployOptions) -> int:
    if plan.cycles:
        write_reports(plan, None, options, dry_run=True)
        raise cycle_refusal(plan)
    if plan.drifted and options.on_drift == "fail":
        write_reports(plan, None, options, dry_run=True)
        raise _drift_refusal(plan)
    if options.dry_run or not (to_apply(plan, options.on_drift) or plan.deletes):
        write_reports(plan, None, options, dry_run=options.dry_run)
        echo("dagship: dry run, nothing sent" if options.dry_run else "dagship: nothing to do")
        return errors.EXIT_OK
    progress = options.progress
    bar = Progress(enabled=progress is not False, bar=None if progress is None else progress)
    try:
        result = apply_plan(plan, session.clients(plan), on_drift=options.on_drift,
                            parallel=options.parallel, progress=bar)
    except NotApplied as exc:  # creating the project failed (a 401 may come first there)
        _report_not_applied(session, plan, exc, options)
        raise
    echo(result_text(result, color=session.color))
    write_reports(plan, result, options, dry_run=False)
    if result.auth_rejected:
        raise errors.AuthError(session.auth_message(
            "the scheduler rejected the token part-way through the deploy (HTTP 401)"))
    if result.unreachable:
        raise errors.TransportError("the scheduler became unreachable part-way through the "
                                    "deploy; the workflows above marked ok were deployed, a "
                                    "rerun converges the rest")
    return errors.EXIT_PARTIAL if result.failed else errors.EXIT_OK
