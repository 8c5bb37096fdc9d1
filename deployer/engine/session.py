"""A session: what a command that talks to a target holds, and the steps every such command
shares (plan, deploy, status, rollback, pull).

Order of a run: target (flag or branch) -> token from the environment (the one lookup, the
one wording of a missing or rejected token) -> load and validate every file (any error
finding: print them, send nothing) -> one plan. Expected failures raise DagshipError and
meet the CLI boundary.
"""

from __future__ import annotations

import dataclasses
import logging
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from deployer.client import DSClient, RetryPolicy
from deployer.client.transport import plain_http_warning
from deployer.core import errors, preview
from deployer.core.config import Config, Target
from deployer.core.findings import has_errors
from deployer.core.redact import MIN_SECRET_LENGTH, RedactingFilter, register_secret
from deployer.core.targets import select_target, source_commit
from deployer.definitions.model import WorkflowSpec
from deployer.definitions.repo import load_repository
from deployer.definitions.resources import local_resources
from deployer.engine import metadata
from deployer.engine import plan as planning
from deployer.engine.committed import uncommitted
from deployer.engine.resources import (
    ResourceSync,
    check_local,
    plan_resources,
    resource_generation,
)
from deployer.output.console import echo
from deployer.output.findings import format_text


@dataclass(frozen=True, kw_only=True)
class SessionOptions:
    """What every command that talks to a target is told."""

    target: str | None = None  # None: the target whose `branches` lists this branch
    verbose: bool = False  # log every HTTP request (token masked)
    color: bool = False


@dataclass(frozen=True, kw_only=True)
class ReportOptions(SessionOptions):
    """... and the commands that plan: their reports and progress display."""

    json_path: str | None = None
    markdown_path: str | None = None
    progress: bool | None = None  # None: a bar in a terminal, one line per workflow in CI


@dataclass
class Session:
    config: Config
    target: Target
    token: str
    commit: str  # full id, `+dirty` when the shipped files differ from it; or "nogit"
    color: bool
    read: list[Path] = field(default_factory=list)  # every file the load read
    uncommitted: list[str] = field(default_factory=list)  # shipped files that differ

    def client(self, generation: str | None = None) -> DSClient:
        """A client with the target's settings; `generation`, once known, spares the probe."""
        t = self.target
        return DSClient(t.url, self.token, api_version=t.api_version or generation,
                        timeout=t.timeout, policy=RetryPolicy(deadline=t.deadline),
                        ca_bundle=t.ca_bundle)

    def clients(self, plan: planning.Plan | None = None) -> Callable[[], DSClient]:
        """New clients speak the plan's generation once known (no probe per worker thread)."""
        return lambda: self.client(plan.generation if plan is not None else None)

    def auth_message(self, message: str) -> str:
        return (f"{message}: the token in the environment variable {self.target.token_env} "
                f"(targets.{self.target.name}.token_env) is wrong or has expired, or its user "
                "is disabled; nothing was retried")

    @contextmanager
    def target_named(self) -> Iterator[None]:
        """A rejected token (HTTP 401) or an address where nothing answers is the user's to
        fix in dagship.yaml or the environment: say which setting."""
        t = self.target
        try:
            yield
        except errors.AuthError as exc:
            raise errors.AuthError(self.auth_message(exc.message)) from exc
        except errors.NothingListens as exc:
            raise errors.NothingListens(
                f"target {t.name!r}: nothing answers at {t.url} (targets.{t.name}.url): "
                f"{exc.message}; check the url and that DolphinScheduler is running (not "
                "retried)") from exc

    def load_specs(self, env: Mapping[str, str], *, shown_as: str = "") -> list[WorkflowSpec]:
        """Every workflow of the checkout for this target; error findings stop the run.
        `shown_as` prefixes the findings' paths (`v1:` for the files of a Git ref)."""
        loaded = load_repository(self.config, target=self.target, env=env)
        self.read = loaded.read
        if loaded.findings:
            shown = [dataclasses.replace(f, path=shown_as + f.path) for f in loaded.findings]
            echo(format_text(shown, color=self.color), err=True)
        if has_errors(loaded.findings):
            n = sum(1 for f in loaded.findings if f.severity == "error")
            raise errors.ValidationFailed(f"{n} error(s) in workflow files; nothing was sent")
        return list(loaded.workflows)

    def check_committed(self, *, allow_dirty: bool, refuse: bool,
                        config: Config | None = None) -> None:
        """What a deploy ships must be the commit its markers record. Files that differ
        from HEAD refuse a deploy (`refuse`) unless `allow_dirty`; then, and for a plan,
        the commit is recorded and shown as `<commit>+dirty`, never as HEAD. A rollback
        gives the working tree's `config`: its definitions are a ref's, so only
        dagship.yaml can be uncommitted."""
        if self.commit == "nogit" or metadata.is_dirty(self.commit):
            return
        self.uncommitted = uncommitted(config or self.config, self.read, self.target,
                                       definitions=config is None)
        if not self.uncommitted:
            return
        short = self.commit[:7]
        if refuse and not allow_dirty:
            shown = "\n  ".join(self.uncommitted)
            raise errors.DeployRefused(
                f"the working tree differs from commit {short} in what this deploy would "
                "ship, so its markers could not say where the definitions came from; nothing "
                f"was sent:\n  {shown}\ncommit the changes, or pass --allow-dirty to deploy "
                f"them anyway (the markers then record {short}+dirty)")
        self.commit += metadata.DIRTY

    def plan(self, specs: list[WorkflowSpec], *, prune: bool,
             progress: bool | None) -> planning.Plan:
        client = self.client()
        try:
            if progress is not False:
                echo(f"dagship: planning {len(specs)} workflow(s) against {self.target.name} "
                     f"({self.target.url})", err=True)
            with self.target_named():
                sync = _resource_sync(self, client, prune=prune or self.target.prune)
                before = client.request_count
                plan = planning.build_plan(
                    client, target=self.target.name, project=self.target.project,
                    api_version=self.target.api_version, specs=specs, commit=self.commit,
                    prune=prune or self.target.prune, resources=sync,
                    resource_folders=self.config.resources, siblings=self.target.siblings)
                plan.requests += before  # the resource center's reads came first
        finally:
            client.close()
        plan.uncommitted = self.uncommitted
        if self.target.preview_branch is not None:  # the mark destroy and previews look for
            plan.project_description = preview.mark_for(
                self.target.name, self.target.preview_branch).text()
        return plan


def _resource_sync(session: Session, client: DSClient, *, prune: bool) -> ResourceSync | None:
    """Plan the resource files (deployer.engine.resources), sizes checked before any
    request; None when dagship.yaml names no resource folders."""
    if not session.config.resources:
        return None
    local = local_resources(session.config)
    check_local(local, session.target, session.target.api_version or "")
    gen = resource_generation(client, session.target, None)
    return plan_resources(client, session.target, gen, local, prune=prune)


def open_session(config: Config, options: SessionOptions, env: Mapping[str, str], *,
                 merge_request: bool = False) -> Session | None:
    """The session of `options.target`, else of the branch being built; None (said why)
    when the branch maps to no target."""
    setup_logging(options.verbose)
    selection = select_target(config, options.target, env, merge_request=merge_request)
    if selection.target is None:
        echo(f"dagship: {selection.reason}")
        return None
    return session_for(config, selection.target, env, color=options.color)


def session_for(config: Config, target: Target, env: Mapping[str, str], *,
                color: bool) -> Session:
    """A session of a target named outright (no branch rule: `pull` reads any target)."""
    if (warning := plain_http_warning(target.url)) is not None:
        echo(f"dagship: warning: targets.{target.name}.url: {warning}", err=True)
    return Session(config, target, target_token(target, env), source_commit(env, config.root),
                   color)


def target_token(target: Target, env: Mapping[str, str]) -> str:
    """The target's token from its environment variable, registered for masking at once.

    A value too short to be a real token is refused before any use: masking it would turn
    ordinary words into `***` (a token `staging` masks `targets.staging`), and every real
    one is long enough that masking each of its occurrences can mangle nothing else."""
    token = env.get(target.token_env, "")
    register_secret(token)
    where = f"{target.token_env} (targets.{target.name}.token_env)"
    if not token.strip():
        raise errors.ConfigError(f"the token for target {target.name!r} is missing: set the "
                                 f"environment variable {where}")
    if len(token) < MIN_SECRET_LENGTH:
        raise errors.ConfigError(
            f"the token in {where} is {len(token)} characters long; a DolphinScheduler access "
            "token has 32 (Security > Token manage): set the variable to the token itself")
    return token


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
