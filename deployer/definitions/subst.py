"""The substitutions of the YAML dialect, resolved without side effects.

`$FILE{"p"}` (a value that starts with it becomes the file's content), `$WORKFLOW{"f"}`
(the name of the workflow in that file; it becomes a deploy-first dependency),
`$ENV{NAME}`, `${CONFIG.X}` and dagship's `$VAR{name}` and `$RESOURCE{"p"}` (where the
worker puts the resource file `p` of the repository, relative to the task's folder: the
target's resource_dir, without its leading `/`, then `p`). DolphinScheduler's runtime
placeholders (`${name}`, `$[yyyyMMdd-1]`) never match and pass through untouched.

Lint mode (no target): `$ENV` and `${CONFIG}` are checked for form only and left as
written; `$VAR` must be defined by every configured target. Deploy mode: every token is
replaced and an unset one is an error finding, never a silent `$NAME`.

Differences from pydolphinscheduler, on purpose: every `$ENV{}` in a string is replaced
(pyds replaces only the first), and `${CONFIG.X}` replaces just the token (pyds replaces
the whole string; WF506 warns when that matters). Paths are tried relative to the YAML
file first, then to the repository root (pyds' working directory).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from deployer.core.config import Target
from deployer.definitions._collect import Collector
from deployer.yaml.nodes import Mark

TOKEN = re.compile(r"\$(FILE|WORKFLOW|ENV|VAR|RESOURCE)\{([^{}]*)\}|\$\{CONFIG\.([^{}]*)\}")
_QUOTED = re.compile(r'^"([^"]+)"$')
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
CONFIG_KEYS = ("WORKFLOW_PROJECT",)
CONFIG_PROJECT = "${CONFIG.WORKFLOW_PROJECT}"


@dataclass
class Context:
    """What substitutions of one file may see; `depends_on` collects $WORKFLOW names."""

    yaml_dir: Path
    root: Path
    target: Target | None
    targets: Mapping[str, Target]
    env: Mapping[str, str] | None
    workflow_name: Callable[[Path], str | None]
    read_text: Callable[[Path], str | None]
    display: Callable[[Path], str]
    depends_on: list[str] = field(default_factory=list)
    # every `$WORKFLOW{}` resolved, with where it was written (for the WF411 cycle check)
    workflow_refs: list[tuple[str, Mark]] = field(default_factory=list)
    # `find` answers per name: a `$FILE` is looked up by the credential scan and again by
    # the expansion, and each lookup resolves paths on disk
    _found: dict[str, tuple[Path | None, str]] = field(default_factory=dict, repr=False)

    def locate(self, rel: str) -> Path | None:
        return self.find(rel)[0]

    def find(self, rel: str) -> tuple[Path | None, str]:
        """The file `rel` names (relative to the YAML file, then the root), or why not.

        Only files inside the repository count: a deploy must be reproducible from Git,
        and `$FILE{"../../etc/passwd"}` would ship a CI runner's files to the scheduler.
        """
        found = self._found.get(rel)
        if found is None:
            found = self._found[rel] = self._find(rel)
        return found

    def _find(self, rel: str) -> tuple[Path | None, str]:
        why = "no such file"
        for base in (self.yaml_dir, self.root):
            candidate = (base / rel).resolve()
            if candidate.is_file():
                if candidate == self.root or self.root in candidate.parents:
                    return candidate, ""
                why = "it resolves outside the repository; only files of the repository are used"
            elif candidate.is_dir() and why == "no such file":
                why = "that is a directory, not a file"
        return None, why


def _quoted(arg: str) -> str | None:
    m = _QUOTED.match(arg)
    return m.group(1) if m else None


def file_payload(value: str, ctx: Context) -> tuple[Path, str] | None:
    """The file a `$FILE{"p"}` value stands for, with its raw text (None if not one)."""
    if not value.startswith("$FILE{"):
        return None
    m = TOKEN.match(value)
    if m is None or m.group(1) != "FILE":
        return None
    rel = _quoted(m.group(2))
    if rel is None:
        return None
    path = ctx.locate(rel)
    if path is None:
        return None
    text = ctx.read_text(path)
    return None if text is None else (path, text)


def resolve(value: str, mark: Mark, ctx: Context, out: Collector) -> str:
    """Apply the substitutions to one string value; problems become findings at `mark`."""
    if "$" not in value:
        return value
    if value.startswith("$FILE{"):
        value = _expand_file(value, mark, ctx, out)
        if "$" not in value:
            return value
    elif "$FILE{" in value:
        out.add("WF410", mark, "`$FILE{...}` is only expanded when the value starts with it "
                "(pydolphinscheduler replaces the whole value with the file's content); "
                "move it to the start of the value or inline the text")
    return TOKEN.sub(lambda m: _one(m, value, mark, ctx, out), value)


def _expand_file(value: str, mark: Mark, ctx: Context, out: Collector) -> str:
    m = TOKEN.match(value)
    if m is None or m.group(1) != "FILE":
        return value
    rel = _quoted(m.group(2))
    if rel is None:
        out.add("WF401", mark, f"`$FILE{{{m.group(2)}}}` needs a quoted path: "
                '`$FILE{"relative/path.sql"}`')
        return value
    path, why = ctx.find(rel)
    text = ctx.read_text(path) if path else None
    if path is None:
        out.add("WF401", mark, f'`$FILE{{"{rel}"}}`: {why} (paths are relative to '
                f"{ctx.display(ctx.yaml_dir) or '.'}/ or to the repository root)")
        return value
    if text is None:
        out.add("WF401", mark, f'`$FILE{{"{rel}"}}`: {ctx.display(path)} cannot be read as '
                "UTF-8 text")
        return value
    return text


def _one(m: re.Match[str], whole: str, mark: Mark, ctx: Context, out: Collector) -> str:
    kind, arg, config_key = m.group(1), m.group(2), m.group(3)
    token = m.group(0)
    if config_key is not None:
        return _config(config_key, token, whole, mark, ctx, out)
    if kind == "WORKFLOW":
        return _workflow(arg, token, mark, ctx, out)
    if kind == "ENV":
        return _env(arg, token, mark, ctx, out)
    if kind == "VAR":
        return _var(arg, token, mark, ctx, out)
    if kind == "RESOURCE":
        return _resource(arg, token, mark, ctx, out)
    return token  # an inline $FILE: reported above, left as written


def _workflow(arg: str, token: str, mark: Mark, ctx: Context, out: Collector) -> str:
    rel = _quoted(arg)
    if rel is None:
        out.add("WF405", mark, f"`{token}` needs a quoted file name: "
                '`$WORKFLOW{"other_workflow.yaml"}`')
        return token
    path, why = ctx.find(rel)
    name = ctx.workflow_name(path) if path else None
    if name is None:
        why = why or "that file is not a valid workflow"
        out.add("WF405", mark, f"`{token}`: {why} (paths are relative to the YAML file or "
                "the repository root, and the file needs `workflow: {name: ...}`)")
        return token
    if name not in ctx.depends_on:
        ctx.depends_on.append(name)
    ctx.workflow_refs.append((name, mark))
    return name


def _env(arg: str, token: str, mark: Mark, ctx: Context, out: Collector) -> str:
    if not _NAME.match(arg):
        out.add("WF403", mark, f"`{token}`: not an environment variable name; "
                "expected `$ENV{NAME}` with letters, digits and `_`")
        return token
    if ctx.env is None:
        return token
    if arg not in ctx.env:
        out.add("WF403", mark, f"`{token}`: environment variable {arg} is not set "
                "(dagship never substitutes an unset variable silently)")
        return token
    return ctx.env[arg]


def _config(key: str, token: str, whole: str, mark: Mark, ctx: Context,
            out: Collector) -> str:
    if key not in CONFIG_KEYS:
        out.add("WF404", mark, f"`{token}`: unknown configuration key; accepted: "
                + ", ".join(f"${{CONFIG.{k}}}" for k in CONFIG_KEYS))
        return token
    if whole.strip() != token:
        out.add("WF506", mark, f"`{token}` inside other text: pydolphinscheduler replaces "
                "the whole value, dagship only the token; give it a value of its own")
    if ctx.target is None:
        return token
    return ctx.target.project


def _var(arg: str, token: str, mark: Mark, ctx: Context, out: Collector) -> str:
    if not _NAME.match(arg):
        out.add("WF402", mark, f"`{token}`: expected `$VAR{{name}}` with a variable name")
        return token
    if ctx.target is not None:
        if arg in ctx.target.variables:
            return ctx.target.variables[arg]
        out.add("WF402", mark, f"`{token}`: target `{ctx.target.name}` does not define "
                f"variable `{arg}` (add it under targets.{ctx.target.name}.variables)")
        return token
    if not ctx.targets:
        out.add("WF402", mark, f"`{token}`: no targets are configured, so `{arg}` is "
                "undefined; define it under targets.<name>.variables in dagship.yaml")
        return token
    missing = [t for t, spec in ctx.targets.items() if arg not in spec.variables]
    if missing:
        out.add("WF402", mark, f"`{token}` is not defined for target(s) "
                f"{', '.join(missing)}; add `{arg}` under targets.<name>.variables")
    return token


def _resource(arg: str, token: str, mark: Mark, ctx: Context, out: Collector) -> str:
    """The path a task's script uses for a resource: the worker downloads each file of the
    task's resource_list to its path inside the resource center, below the task's folder,
    and that path holds the target's resource_dir (per target: a file runs unchanged on
    staging and production)."""
    rel = _quoted(arg)
    if rel is None:
        out.add("WF413", mark, f"`{token}` needs a quoted repository path: "
                '`$RESOURCE{"resources/etl/load.sh"}`')
        return token
    root = ctx.root.resolve()
    candidate = (root / rel).resolve()
    if not candidate.is_file() or root not in candidate.parents:
        out.add("WF413", mark, f"`{token}`: no file {rel} in the repository (the path is "
                "relative to dagship.yaml, as in resource_list)")
        return token
    if ctx.target is None:
        return token
    inside = candidate.relative_to(root).as_posix()
    return f"{ctx.target.resource_root.lstrip('/')}/{inside}"
