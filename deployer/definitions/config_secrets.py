"""WF601 for credentials written into `dagship.yaml`: a password in a target's `url`
(`https://user:pass@host`), or a `$VAR` variable holding a literal password, token or key.

The config is committed to Git like the workflows, and its variables are pasted into every
workflow that uses them, so a secret there leaks the same way. Every string value is read as
`key=value` (so the key's name counts, as in a script); the allow marker works as in scripts.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from deployer.core.config import Config
from deployer.core.findings import Finding
from deployer.definitions._collect import Collector
from deployer.definitions.secrets import ALLOW_MARKER, find_credentials
from deployer.yaml.loader import load
from deployer.yaml.nodes import Mark, MDict, MList, YamlSyntaxError


def config_findings(config: Config) -> list[Finding]:
    """The WF601 findings of the config file (none without one, or if it cannot be read:
    loading the config already reported that)."""
    if config.path is None:
        return []
    try:
        text = config.path.read_text(encoding="utf-8")
        tree, _ = load(text)
    except (OSError, UnicodeDecodeError, YamlSyntaxError):
        return []
    try:
        display = config.path.resolve().relative_to(config.root).as_posix()
    except ValueError:
        display = str(config.path)
    out = Collector(display, frozenset(config.lint_disable))
    lines = text.splitlines()
    for keypath, key, value, mark in _strings(tree, ""):
        hits = find_credentials(f"{key}={value}")
        line = lines[mark.line - 1] if 0 < mark.line <= len(lines) else ""
        if hits and ALLOW_MARKER not in line:
            message = hits[0].message.replace("in the script", "in the config")
            out.add("WF601", mark, f"`{keypath}`: {message}")
    return out.findings


def _strings(node: Any, path: str) -> Iterator[tuple[str, str, str, Mark]]:
    if isinstance(node, MDict):
        for key, value in node.items():
            keypath = f"{path}.{key}".lstrip(".")
            if isinstance(value, str):
                yield keypath, key, value, node.value_mark(key)
            else:
                yield from _strings(value, keypath)
    elif isinstance(node, MList):
        for i, item in enumerate(node):
            if isinstance(item, str):
                yield f"{path}[{i}]", path.rsplit(".", 1)[-1], item, node.item_mark(i)
            else:
                yield from _strings(item, f"{path}[{i}]")
