"""The tree's architecture, kept true: which part may import which, no import cycle, click
only in the command-line layer. Every import counts, also those inside functions and
under TYPE_CHECKING."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PARTS = ("cli", "commands", "engine", "adopt", "diff", "definitions", "client", "sandbox",
         "output", "core", "yaml")
# What each part may import besides itself (and the import-free `deployer` package, which
# holds __version__). Read downwards: core and yaml are the bottom, cli the top.
ALLOWED = {
    "cli": {"commands", "core", "hooks", "output"},
    "commands": {"adopt", "client", "core", "definitions", "diff", "engine", "output",
                 "sandbox", "yaml"},
    "hooks": {"core", "definitions", "output"},
    # engine -> diff: a plan says what changes in diff's words (WorkflowDiff, its renderer)
    "engine": {"client", "core", "definitions", "diff", "output"},
    "adopt": {"client", "core", "definitions", "engine", "output", "yaml"},
    "diff": {"core", "definitions", "output"},
    "sandbox": {"core", "definitions"},
    "definitions": {"core", "yaml"},
    "client": {"core"},
    "output": {"core"},
    "core": {"yaml"},
    "yaml": set(),
}
ENTRY_POINTS = {"deployer.__main__", "deployer.sandbox.__main__"}  # `python -m`: the CLI


def _modules() -> dict[str, Path]:
    found = {}
    for package in ("deployer", "hooks"):
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _imports(name: str, path: Path) -> Iterator[str]:
    """Every module name `path` imports (absolute or relative, anywhere in the file)."""
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                here = name.split(".")[: None if is_package else -1]
                here = here[: len(here) - node.level + 1]
                base = ".".join([*here, base] if base else here)
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: {m for m in _imports(name, path) if m in modules and m != name
                   and not name.startswith(m + ".")}  # a package is its modules' parent
            for name, path in modules.items()}


def _part(module: str) -> str:
    parts = module.split(".")
    if parts[0] == "hooks":
        return "hooks"
    return parts[1] if len(parts) > 1 and parts[1] in PARTS else "deployer"


def test_each_part_imports_only_the_parts_below_it() -> None:
    wrong = sorted(f"{name} imports {target}"
                   for name, targets in _graph().items() if name not in ENTRY_POINTS
                   for target in targets
                   if _part(target) not in {_part(name), "deployer"}
                   and _part(target) not in ALLOWED.get(_part(name), set()))
    assert wrong == []


def test_there_is_no_import_cycle() -> None:
    graph = _graph()
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    cycles: list[list[str]] = []

    def visit(name: str, path: list[str]) -> None:
        state[name] = 1
        for target in sorted(graph[name]):
            if state.get(target) == 1:
                cycles.append([*path[path.index(target):], target])
            elif target not in state:
                visit(target, [*path, target])
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert cycles == []


def test_click_is_imported_only_by_the_command_line_layer() -> None:
    modules = _modules()
    users = sorted(name for name, path in modules.items()
                   if any(m.split(".")[0] == "click" for m in _imports(name, path)))
    assert users  # the scan sees the click layer itself
    assert [name for name in users if not name.startswith("deployer.cli.")] == []
