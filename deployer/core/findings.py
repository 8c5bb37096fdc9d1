"""Findings: what every check produces (lint, commit-msg, branch), as plain values.

Checks collect findings; `deployer.output.findings` renders them, so every output format
behaves alike whoever found them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True, order=True)
class Finding:
    path: str
    line: int
    col: int
    code: str
    severity: Severity
    message: str

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def has_errors(findings: Iterable[Finding]) -> bool:
    return any(f.severity == "error" for f in findings)
