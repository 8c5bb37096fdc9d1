"""dagship.yaml: found like git finds .git, validated against a schema, defaults applied.

Every problem names the file, the line and the key path, and says what is accepted.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

from deployer.core.errors import ConfigError
from deployer.core.wording import hint as _hint
from deployer.core.wording import kind as _kind
from deployer.yaml.nodes import Mark, MDict, MList, YamlSyntaxError

CONFIG_NAME = "dagship.yaml"
DEFAULT_TYPES = ("feat", "fix", "docs", "style", "refactor", "perf", "test", "build", "ci",
                 "chore", "revert")
DEFAULT_BRANCH_PATTERN = r"^(main|develop|(feature|bugfix|release|hotfix)/[A-Za-z0-9._-]+)$"
API_VERSIONS = ("3.1", "3.2", "3.3", "3.4")


# NamedTuples rather than dataclasses: `dataclasses` imports `inspect`, and the config is
# loaded by the commit-msg hook on every commit, where start-up time is the product.


class CommitRules(NamedTuple):
    types: tuple[str, ...] = DEFAULT_TYPES
    scopes: tuple[str, ...] = ()
    require_scope: bool = False
    subject_max_length: int = 72
    body_max_line_length: int = 100
    ticket_pattern: str | None = None


class BranchRules(NamedTuple):
    pattern: str = DEFAULT_BRANCH_PATTERN
    protected: tuple[str, ...] = ("main", "develop")


class Smoke(NamedTuple):
    """A target's `smoke:`: what `deploy --smoke` runs after a successful apply."""

    workflows: tuple[str, ...]
    dry_run: bool = False  # DolphinScheduler's dry run (no task body runs) or a real run
    timeout: float = 600.0  # seconds for the whole smoke run
    params: Mapping[str, str] = MappingProxyType({})  # start parameters
    poll: float = 2.0  # seconds between two looks at the instances


class Target(NamedTuple):
    name: str
    url: str
    token_env: str
    project: str
    branches: tuple[str, ...] = ()
    prune: bool = False
    variables: Mapping[str, str] = MappingProxyType({})
    api_version: str | None = None
    ca_bundle: str | None = None
    production: bool = False
    timeout: float = 30.0  # seconds per request
    deadline: float = 300.0  # seconds for all retries of one step
    resource_dir: str | None = None  # the resource-center folder dagship owns (see below)
    resource_max_mb: int = 1024  # DolphinScheduler's own MAX_FILE_SIZE is 1 GiB
    smoke: Smoke | None = None

    @property
    def resource_root(self) -> str:
        """The folder of the resource center this target's files are synced into; dagship
        creates, updates and deletes only below it. Default `/dagship/<project>`: one
        folder per project, so two projects (or repositories) never prune each other."""
        return (self.resource_dir or f"/dagship/{self.project}").rstrip("/")
    # Set only on a target rendered for one project of a repository (deployer.core.projects):
    # the config's project keys -> their project names on this target, the workflows Git
    # defines in each of those projects, and the branch a preview project is made for.
    aliases: Mapping[str, str] = MappingProxyType({})
    siblings: Mapping[str, frozenset[str]] = MappingProxyType({})
    preview_branch: str | None = None


def display_path(root: Path, path: Path | str) -> str:
    """A path as findings and reports show it: relative to the config root when it lies
    inside it (always with `/`), else as it was given."""
    try:
        return Path(path).relative_to(root).as_posix()
    except ValueError:
        return str(path)


class Config(NamedTuple):
    root: Path  # the folder dagship.yaml is in (or the working directory without one)
    path: Path | None  # None: no dagship.yaml was found, defaults apply
    workflows: tuple[str, ...] = ("workflows/",)
    commit: CommitRules = CommitRules()
    branches: BranchRules = BranchRules()
    lint_disable: tuple[str, ...] = ()
    targets: Mapping[str, Target] = MappingProxyType({})
    resources: tuple[str, ...] = ()  # folders of files synced into the resource center
    # `projects:` project key -> its workflow folders; empty: one project (`targets.*.project`)
    projects: Mapping[str, tuple[str, ...]] = MappingProxyType({})
    # set on the config of one project of `projects:` (deployer.core.units): its key
    project_key: str | None = None

    def not_found(self) -> str:
        """Why there is no target at all, when no dagship.yaml was found: where we looked,
        and how to make one."""
        return (f"no {CONFIG_NAME} found in {self.root} or any folder above it; run "
                "`dagship init` there to create one (with a staging and a production "
                "target), or give its path with --config (or DAGSHIP_CONFIG)")

    def target(self, name: str) -> Target:
        if self.path is None:
            raise ConfigError(self.not_found())
        try:
            return self.targets[name]
        except KeyError:
            known = ", ".join(sorted(self.targets)) or "none configured"
            where = self.path or CONFIG_NAME
            raise ConfigError(f"{where}: unknown target {name!r} (known: {known})") from None


def find_config(start: Path | None = None) -> Path | None:
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / CONFIG_NAME
        if candidate.is_file():
            return candidate
    return None


def load_config(
    explicit: str | os.PathLike[str] | None = None, *, cwd: Path | None = None
) -> Config:
    """Load --config PATH, else the nearest dagship.yaml upwards, else the defaults."""
    if explicit is not None:
        path = Path(explicit)
        if not path.is_file():
            raise ConfigError(f"{path}: config file not found")
    else:
        found = find_config(cwd)
        if found is None:
            return Config(root=(cwd or Path.cwd()).resolve(), path=None)
        path = found
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read config: {exc}") from exc
    return parse_config(text, path)


class _Reader:
    """Walks the config tree; every error names file:line:col and the key path."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, mark: Mark, keypath: str, message: str) -> ConfigError:
        return ConfigError(f"{self.path}:{mark.line}:{mark.col}: {keypath}: {message}")

    def mapping(self, value: Any, mark: Mark, keypath: str, allowed: tuple[str, ...]) -> MDict:
        if not isinstance(value, MDict):
            raise self.fail(mark, keypath, f"expected a mapping, got {_kind(value)}")
        for key in value:
            if key not in allowed:
                hint = _hint(key, allowed)
                raise self.fail(
                    value.key_mark(key), f"{keypath}.{key}".lstrip("."),
                    f"unknown key{hint}; accepted keys: {', '.join(allowed)}",
                )
        return value

    def get(self, m: MDict, key: str, keypath: str, kind: type | tuple[type, ...],
            default: Any, check: Callable[[Any], str | None] | None = None) -> Any:
        if key not in m or (m[key] is None and default is not None):
            return default
        value = m[key]
        full = f"{keypath}.{key}".lstrip(".")
        if isinstance(value, bool) and kind in (int, float):
            raise self.fail(m.value_mark(key), full, f"expected {_kname(kind)}, got a boolean")
        if not isinstance(value, kind):
            raise self.fail(m.value_mark(key), full, f"expected {_kname(kind)}, got {_kind(value)}")
        if check is not None:
            problem = check(value)
            if problem:
                raise self.fail(m.value_mark(key), full, problem)
        return value

    def strings(
        self, m: MDict, key: str, keypath: str, default: tuple[str, ...]
    ) -> tuple[str, ...]:
        value = self.get(m, key, keypath, (list, str), None)
        if value is None:
            return default
        if isinstance(value, str):
            return (value,)
        full = f"{keypath}.{key}".lstrip(".")
        items: MList = value
        for i, item in enumerate(items):
            if not isinstance(item, str):
                raise self.fail(items.item_mark(i), f"{full}[{i}]",
                                f"expected a string, got {_kind(item)}")
        return tuple(items)


def _regex(value: str) -> str | None:
    try:
        re.compile(value)
    except re.error as exc:
        return f"not a valid regular expression: {exc}"
    return None


def _positive(value: int) -> str | None:
    return None if value > 0 else "expected a positive integer"


def parse_config(text: str, path: Path) -> Config:
    from deployer.yaml.loader import load

    try:
        data, duplicates = load(text)
    except YamlSyntaxError as exc:
        raise ConfigError(f"{path}:{exc.mark.line}:{exc.mark.col}: {exc.message}") from exc
    r = _Reader(path)
    if duplicates:
        d = duplicates[0]
        raise r.fail(d.mark, d.key, f"duplicate key (first defined on line {d.first.line})")
    if data is None:
        return Config(root=path.parent.resolve(), path=path)
    top = r.mapping(data, Mark(1, 1), "", ("workflows", "resources", "commit", "branches",
                                           "lint", "targets", "projects"))

    projects = read_projects(r, top)
    # with projects, their folders are the workflows unless `workflows:` says otherwise
    folders = tuple(f for fs in projects.values() for f in fs) or ("workflows/",)
    workflows = r.strings(top, "workflows", "", folders)
    resources = r.strings(top, "resources", "", ())
    for i, folder in enumerate(resources):
        problem = _repo_folder(folder)
        if problem:
            raise r.fail(_item_mark(top, "resources", i), "resources", problem)

    commit = CommitRules()
    if "commit" in top and top["commit"] is not None:
        c = r.mapping(top["commit"], top.value_mark("commit"), "commit",
                      ("types", "scopes", "require_scope", "subject_max_length",
                       "body_max_line_length", "ticket_pattern"))
        commit = CommitRules(
            types=r.strings(c, "types", "commit", DEFAULT_TYPES),
            scopes=r.strings(c, "scopes", "commit", ()),
            require_scope=r.get(c, "require_scope", "commit", bool, False),
            subject_max_length=r.get(c, "subject_max_length", "commit", int, 72, _positive),
            body_max_line_length=r.get(c, "body_max_line_length", "commit", int, 100, _positive),
            ticket_pattern=r.get(c, "ticket_pattern", "commit", str, None, _regex),
        )

    branches = BranchRules()
    if "branches" in top and top["branches"] is not None:
        b = r.mapping(top["branches"], top.value_mark("branches"), "branches",
                      ("pattern", "protected"))
        branches = BranchRules(
            pattern=r.get(b, "pattern", "branches", str, DEFAULT_BRANCH_PATTERN, _regex),
            protected=r.strings(b, "protected", "branches", ("main", "develop")),
        )

    lint_disable: tuple[str, ...] = ()
    if "lint" in top and top["lint"] is not None:
        lint = r.mapping(top["lint"], top.value_mark("lint"), "lint", ("disable",))
        lint_disable = r.strings(lint, "disable", "lint", ())

    targets: dict[str, Target] = {}
    if "targets" in top and top["targets"] is not None:
        tmap = r.mapping(top["targets"], top.value_mark("targets"), "targets", tuple(top["targets"])
                         if isinstance(top["targets"], MDict) else ())
        for name in tmap:
            targets[name] = _target(r, tmap, name)
            check_template(r, tmap[name], targets[name], projects)

    return Config(root=path.parent.resolve(), path=path, workflows=workflows, commit=commit,
                  branches=branches, lint_disable=lint_disable, targets=targets,
                  resources=tuple(f.strip("/") + "/" for f in resources),
                  projects=MappingProxyType(projects))


_TARGET_KEYS = ("url", "token_env", "project", "branches", "prune", "variables", "api_version",
                "ca_bundle", "production", "timeout", "deadline", "resource_dir",
                "resource_max_mb", "smoke")


def _target(r: _Reader, tmap: MDict, name: str) -> Target:
    keypath = f"targets.{name}"
    raw = tmap[name]
    if isinstance(raw, MDict) and "token" in raw:
        raise r.fail(raw.key_mark("token"), f"{keypath}.token",
                     "a literal token does not belong in the config; name the environment "
                     "variable that holds it with `token_env: DS_TOKEN`")
    t = r.mapping(raw, tmap.value_mark(name), keypath, _TARGET_KEYS)
    for required in ("url", "token_env", "project"):
        if required not in t or t[required] in (None, ""):
            raise r.fail(t.mark, keypath, f"missing required key `{required}`")
    url = r.get(t, "url", keypath, str, None,
                lambda v: None if re.match(r"^https?://", v)
                else "expected an http:// or https:// URL")
    token_env = r.get(t, "token_env", keypath, str, None,
                      lambda v: None if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", v)
                      else "expected an environment variable name such as DS_TOKEN")
    variables = _scalars(r, t, "variables", keypath)
    api_version = r.get(t, "api_version", keypath, (str, float), None)
    if api_version is not None:
        api_version = str(api_version)
        if api_version not in API_VERSIONS:
            raise r.fail(t.value_mark("api_version"), f"{keypath}.api_version",
                         f"expected one of {', '.join(API_VERSIONS)} (quote it: \"3.2\")")
    return Target(
        name=name,
        url=url.rstrip("/"),
        token_env=token_env,
        project=str(r.get(t, "project", keypath, (str, int), None)),
        branches=r.strings(t, "branches", keypath, ()),
        prune=r.get(t, "prune", keypath, bool, False),
        variables=variables,
        api_version=api_version,
        ca_bundle=_relative_to(r.path, r.get(t, "ca_bundle", keypath, str, None)),
        production=r.get(t, "production", keypath, bool, name in ("production", "prod")),
        timeout=float(r.get(t, "timeout", keypath, (int, float), 30.0)),
        deadline=float(r.get(t, "deadline", keypath, (int, float), 300.0)),
        resource_dir=r.get(t, "resource_dir", keypath, str, None, _resource_dir),
        resource_max_mb=r.get(t, "resource_max_mb", keypath, int, 1024, _positive),
        smoke=_smoke(r, t, keypath),
    )


def _scalars(r: _Reader, m: MDict, key: str, keypath: str) -> dict[str, str]:
    """A mapping of names to scalar values, as text (`true`/`false` for booleans): a target's
    `variables` and a smoke run's `params`."""
    raw = r.get(m, key, keypath, dict, {})
    out: dict[str, str] = {}
    for name, value in raw.items():
        if isinstance(value, dict | list) or value is None:
            raise r.fail(raw.value_mark(name), f"{keypath}.{key}.{name}",
                         f"expected a scalar value, got {_kind(value)}")
        out[name] = str(value).lower() if isinstance(value, bool) else str(value)
    return out


def _smoke(r: _Reader, t: MDict, keypath: str) -> Smoke | None:
    if t.get("smoke") is None:
        return None
    keypath = f"{keypath}.smoke"
    s = r.mapping(t["smoke"], t.value_mark("smoke"), keypath,
                  ("workflows", "dry_run", "timeout", "params", "poll"))
    workflows = r.strings(s, "workflows", keypath, ())
    if not workflows:
        raise r.fail(s.mark, keypath, "missing required key `workflows` (the deployed "
                     "workflows `deploy --smoke` runs, by name)")
    params = _scalars(r, s, "params", keypath)
    return Smoke(
        workflows=workflows,
        dry_run=r.get(s, "dry_run", keypath, bool, False),
        timeout=float(r.get(s, "timeout", keypath, (int, float), 600.0,
                            lambda v: None if v > 0 else "expected a number of seconds > 0")),
        params=MappingProxyType(params),
        poll=float(r.get(s, "poll", keypath, (int, float), 2.0,
                         lambda v: None if v >= 0.05 else "expected seconds, at least 0.05")),
    )


def _item_mark(m: MDict, key: str, index: int) -> Mark:
    value = m.get(key)
    return value.item_mark(index) if isinstance(value, MList) else m.value_mark(key)


def _repo_folder(value: str) -> str | None:
    parts = value.strip("/").split("/")
    if value.startswith("/") or not value.strip("/") or ".." in parts:
        return f"expected a folder inside the repository such as resources/, got {value!r}"
    return None


def _resource_dir(value: str) -> str | None:
    """dagship prunes below this folder: it must be a real folder of its own, never the
    resource center's top."""
    parts = value.strip("/").split("/")
    if not value.startswith("/") or not value.strip("/") or any(
            p in ("", ".", "..") for p in parts):
        return ("expected an absolute folder of the resource center below its top, such as "
                f"/dagship/my-project, got {value!r}")
    return None
_PROJECT_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


def read_projects(r: _Reader, top: MDict) -> dict[str, tuple[str, ...]]:
    """`projects: {finance: workflows/finance/, ingest: [workflows/ingest/, shared/]}`."""
    if "projects" not in top or top["projects"] is None:
        return {}
    raw = top["projects"]
    pmap = r.mapping(raw, top.value_mark("projects"), "projects",
                     tuple(raw) if isinstance(raw, MDict) else ())
    out: dict[str, tuple[str, ...]] = {}
    for key in pmap:
        if not _PROJECT_KEY.fullmatch(str(key)):
            raise r.fail(pmap.key_mark(key), f"projects.{key}",
                         "expected a project key of letters, digits, `_`, `.` or `-`")
        folders = r.strings(pmap, key, "projects", ())
        if not folders:
            raise r.fail(pmap.value_mark(key), f"projects.{key}",
                         "expected the project's workflow folder (or a list of them)")
        out[str(key)] = folders
    return out


def check_template(r: _Reader, raw: Any, target: Target,
                   projects: Mapping[str, tuple[str, ...]]) -> None:
    """`project:` may be a template over `{project}` (with `projects:`) and `{branch}`
    (a preview target, never a production one)."""
    from deployer.core.projects import template_problem

    problem = template_problem(target.project, has_projects=bool(projects),
                               production=target.production)
    if problem:
        keypath = f"targets.{target.name}.project"
        mark = raw.value_mark("project") if isinstance(raw, MDict) else Mark(1, 1)
        raise r.fail(mark, keypath, problem)


def _relative_to(config_path: Path, value: str | None) -> str | None:
    """A relative ca_bundle is relative to dagship.yaml, not to wherever dagship runs (its
    existence is checked when a client is made: lint must work without the file)."""
    if not value:
        return None
    path = Path(value).expanduser()
    return str(path if path.is_absolute() else config_path.parent.resolve() / path)


def _kname(kind: type | tuple[type, ...]) -> str:
    names = {str: "a string", int: "an integer", float: "a number", bool: "true or false",
             list: "a list", dict: "a mapping"}
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(names.get(k, k.__name__) for k in kinds)
