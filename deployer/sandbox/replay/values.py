"""Generated values carried forward from the recorded server to the sandbox.

Project, workflow and task codes (snowflake numbers, 12+ digits) and schedule ids are made by
the server, so the sandbox makes different ones. The first time a recorded answer shows one,
the sandbox's answer at the same place says what it became; later requests are rewritten with
it: in the path, the query, the form, and inside the JSON strings of the form
(`taskDefinitionJson`, `taskRelationJson`, `locations`...), where a code is a run of digits.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["CODE_MIN", "ValueMap", "is_code"]

CODE_MIN = 10**11  # snowflake codes are 15-16 digits; ids, versions and counts are small
_CODE_RUN = re.compile(r"(?<![\d.])\d{12,19}(?![\d.])")
_SCHEDULE_ID = re.compile(r"(/schedules/)(\d+)(?=/|$)")


def is_code(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= CODE_MIN


class ValueMap:
    """recorded -> sandbox, for codes and schedule ids."""

    def __init__(self) -> None:
        self.codes: dict[int, int] = {}
        self.schedules: dict[int, int] = {}

    def learn_code(self, recorded: int, sandbox: int) -> bool:
        """Remember a pairing; False when `recorded` is already paired with another value."""
        known = self.codes.setdefault(recorded, sandbox)
        return known == sandbox

    def learn_schedule(self, recorded: int, sandbox: int) -> None:
        self.schedules.setdefault(recorded, sandbox)

    def code(self, recorded: int) -> int | None:
        return self.codes.get(recorded)

    def text(self, value: str) -> str:
        """Every known code inside a string replaced (JSON strings included)."""
        if not self.codes or not any(ch.isdigit() for ch in value):
            return value
        return _CODE_RUN.sub(lambda m: str(self.codes.get(int(m.group()), m.group())), value)

    def path(self, path: str) -> str:
        path = self.text(path)
        return _SCHEDULE_ID.sub(
            lambda m: m.group(1) + str(self.schedules.get(int(m.group(2)), m.group(2))), path)

    def params(self, values: dict[str, list[str]]) -> dict[str, list[str]]:
        return {key: [self.text(v) for v in vals] for key, vals in values.items()}

    def json(self, value: Any) -> Any:
        """A parsed JSON value with known codes replaced (ints and strings)."""
        if isinstance(value, dict):
            return {k: self.json(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.json(v) for v in value]
        if is_code(value):
            return self.codes.get(value, value)
        if isinstance(value, str):
            return self.text(value)
        return value
