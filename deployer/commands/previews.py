"""`dagship previews --target T`: the preview projects dagship made for a target, with their
branch, last deploy and age; `--older-than 7d --destroy` removes the stale ones.

A preview is a project whose description carries dagship's mark of this target. Its age
counts from the mark's creation time (written by dagship, in UTC). Its last deploy is the
newest `updateTime` of the workflows dagship deployed there, as the server reports it (read
as UTC, the time zone the servers dagship is tested on run in); a preview counts as stale
when its last deploy (or, with none, its creation) is older than `--older-than`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from deployer.client import DSClient
from deployer.commands.destroy import client_for, destroy_project, refuse_production
from deployer.core import errors
from deployer.core.config import Config
from deployer.core.preview import age_text, parse_age, parse_mark
from deployer.core.projects import is_preview
from deployer.engine import metadata
from deployer.engine.session import SessionOptions, setup_logging
from deployer.output.console import echo


@dataclass(frozen=True, kw_only=True)
class PreviewsOptions(SessionOptions):
    older_than: str | None = None  # `7d`: list (and with destroy, remove) only stale ones
    destroy: bool = False
    dry_run: bool = False


@dataclass(frozen=True)
class Preview:
    project: str
    branch: str
    created: datetime | None
    last_deploy: datetime | None

    def idle(self, now: datetime) -> float | None:
        since = self.last_deploy or self.created
        return None if since is None else (now - since).total_seconds()


def _server_time(text: object) -> datetime | None:
    try:
        return datetime.strptime(str(text), "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    except ValueError:
        return None


def previews_command(config: Config, options: PreviewsOptions,
                     env: Mapping[str, str] | None = None,
                     now: datetime | None = None) -> int:
    env = os.environ if env is None else env
    setup_logging(options.verbose)
    if options.target is None:
        raise errors.UsageError("name the preview target with --target")
    target = config.target(options.target)
    refuse_production(target)
    if not is_preview(target.project):
        raise errors.UsageError(f"target {target.name!r} is not a preview target (no "
                                f"{{branch}} in targets.{target.name}.project)")
    limit = None
    if options.older_than is not None:
        limit = parse_age(options.older_than)
        if limit is None:
            raise errors.UsageError(f"--older-than {options.older_than!r}: expected a number "
                                    "and a unit, m, h, d or w (e.g. 7d)")
    if options.destroy and limit is None:
        raise errors.UsageError("--destroy needs --older-than (e.g. --older-than 7d)")
    now = now or datetime.now(UTC)
    with client_for(target, env) as c:
        found = _previews(c, target.name)
        stale = [p for p in found if limit is not None and (p.idle(now) or 0) > limit]
        shown = stale if limit is not None else found
        echo(_table(shown, now) if shown else
             f"dagship: no preview projects of target {target.name}"
             + (f" idle longer than {options.older_than}" if limit is not None else ""))
        if options.destroy:
            for p in stale:
                destroy_project(c, p.project, target, dry_run=options.dry_run,
                                resources=bool(config.resources))
        elif stale:
            echo(f"dagship: {len(stale)} preview(s) idle longer than {options.older_than}; "
                 "pass --destroy to remove them")
    return errors.EXIT_OK


def _previews(c: DSClient, target: str) -> list[Preview]:
    out = []
    for project in c.list_projects():
        mark = parse_mark(project.get("description"))
        if mark is None or mark.target != target:
            continue
        times = [t for d in c.list_workflows(int(project["code"]))
                 if metadata.parse(d["workflowDefinition"].get("description"))[1] is not None
                 and (t := _server_time(d["workflowDefinition"].get("updateTime")))]
        out.append(Preview(str(project["name"]), mark.branch, mark.created_at(),
                           max(times, default=None)))
    return sorted(out, key=lambda p: p.project)


def _table(rows: list[Preview], now: datetime) -> str:
    lines = [("PROJECT", "BRANCH", "LAST DEPLOY", "AGE")]
    for p in rows:
        last = p.last_deploy.strftime("%Y-%m-%d %H:%M UTC") if p.last_deploy else "never"
        age = age_text((now - p.created).total_seconds()) if p.created else "?"
        lines.append((p.project, p.branch, last, age))
    widths = [max(len(r[i]) for r in lines) for i in range(3)]
    return "\n".join("  ".join(r[i].ljust(widths[i]) for i in range(3)) + "  " + r[3]
                     for r in lines)
