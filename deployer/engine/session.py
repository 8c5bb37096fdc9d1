"""A session: what a command that talks to a target holds, and the steps every such command
shares (plan, deploy, status, rollback, pull).

Order of a run: target (flag or branch) -> token from the environment (the one lookup, the
one wording of a missing or rejected token) -> load and validate every file (any error
finding: print them, send nothing) -> one plan. Expected failures raise DagshipError and
meet the CLI boundary.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from deployer.client import DSClient, RetryPolicy
from deployer.client.transport import plain_http_warning
from deployer.core import errors
from deployer.core.config import Config, Target
from deployer.core.findings import has_errors
from deployer.core.redact import RedactingFilter, register_secret
from deployer.core.targets import select_target, source_commit
from deployer.definitions.model import WorkflowSpec
from deployer.definitions.repo import load_repository
from deployer.engine import plan as planning
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
    commit: str  # the commit being deployed, or "nogit"
    color: bool

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
    def token_named(self) -> Iterator[None]:
        """A rejected token (HTTP 401) is the user's to fix: say which variable holds it."""
        try:
            yield
        except errors.AuthError as exc:
            raise errors.AuthError(self.auth_message(exc.message)) from exc

    def load_specs(self, env: Mapping[str, str]) -> list[WorkflowSpec]:
        """Every workflow of the checkout for this target; error findings stop the run."""
        loaded = load_repository(self.config, target=self.target, env=env)
        if loaded.findings:
            echo(format_text(loaded.findings, color=self.color), err=True)
        if has_errors(loaded.findings):
            n = sum(1 for f in loaded.findings if f.severity == "error")
            raise errors.ValidationFailed(f"{n} error(s) in workflow files; nothing was sent")
        return list(loaded.workflows)

    def plan(self, specs: list[WorkflowSpec], *, prune: bool,
             progress: bool | None) -> planning.Plan:
        client = self.client()
        try:
            if progress is not False:
                echo(f"dagship: planning {len(specs)} workflow(s) against {self.target.name} "
                     f"({self.target.url})", err=True)
            with self.token_named():
                return planning.build_plan(
                    client, target=self.target.name, project=self.target.project,
                    api_version=self.target.api_version, specs=specs, commit=self.commit,
                    prune=prune or self.target.prune)
        finally:
            client.close()


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
    token = env.get(target.token_env, "")
    register_secret(token)
    if not token.strip():
        raise errors.ConfigError(
            f"the token for target {target.name!r} is missing: set the environment variable "
            f"{target.token_env} (targets.{target.name}.token_env)")
    return Session(config, target, token, source_commit(env, config.root), color)


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
