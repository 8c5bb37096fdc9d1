"""What a target's DolphinScheduler version cannot take, found before anything is sent.

DolphinScheduler 3.1's `DataType` has no FILE (3.2 added it): a FILE parameter there fails
at the server part-way through a deploy. A target says it speaks 3.1 only by pinning
`api_version: "3.1"` (3.1 cannot be told from 3.2 by probing), so that is what is checked:
in deploy mode against the target, in lint mode against every target, as `$VAR` is.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from deployer.core.config import Target
from deployer.definitions._collect import Collector
from deployer.definitions.model import Property, WorkflowSpec
from deployer.yaml.nodes import Mark

_FILE_SINCE = "3.2"
_WITHOUT_FILE = ("3.1",)


def check_targets(specs: Iterable[WorkflowSpec], out: Collector,
                  targets: Iterable[Target]) -> None:
    """WF111 for every FILE parameter a listed target's version does not know."""
    old = [t for t in targets if t.api_version in _WITHOUT_FILE]
    if not old:
        return
    for spec in specs:
        for line, where, prop in _file_params(spec):
            for target in old:
                out.add("WF111", Mark(line, 1), (
                    f"{where}parameter `{prop}` has type FILE, which DolphinScheduler "
                    f"{target.api_version} does not know (FILE parameters came with "
                    f"{_FILE_SINCE}); target `{target.name}` pins api_version "
                    f"\"{target.api_version}\": give the parameter another type, or deploy "
                    f"to a {_FILE_SINCE}+ server"))


def _file_params(spec: WorkflowSpec) -> Iterator[tuple[int, str, str]]:
    for prop in spec.global_params:
        if prop.type == "FILE":
            yield spec.line, "", prop.prop
    for task in spec.tasks:
        for item in task.params.get("localParams") or []:
            if _type(item) == "FILE":
                yield task.line or spec.line, f"task `{task.name}`: ", _name(item)


def _type(item: Any) -> str:
    if isinstance(item, Property):
        return item.type
    return str(item.get("type", "")) if isinstance(item, dict) else ""


def _name(item: Any) -> str:
    return item.prop if isinstance(item, Property) else str(item.get("prop", ""))
