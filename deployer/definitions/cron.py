"""Quartz cron and time zone checks, as DolphinScheduler validates schedules.

DolphinScheduler parses `crontab` with cron-utils `CronType.QUARTZ` and builds the trigger with
Quartz, so an expression must satisfy both: 6 or 7 fields (seconds first, optional year),
exactly one of day-of-month / day-of-week is `?`, and Quartz's special forms (`L`, `W`, `#`)
only where Quartz accepts them. This module is pure and cheap: it runs on every commit.

Columns are 0-based offsets into the expression and point at the offending part (the field,
or the list item / value inside it), so the caller can turn them into a 1-based column.

Decisions:
- Reversed ranges (`22-2`, `FRI-MON`) are accepted: Quartz wraps them around.
- `L`, `W`, `LW` and `#` must stand alone in their field, as Quartz requires at trigger build.
- A 5-field Unix cron gets the Quartz translation in the message (seconds `0` prepended,
  `?` in the unused day field, Unix weekdays 0-6 shifted to Quartz 1-7, year `*` appended so
  the suggestion also satisfies pydolphinscheduler's 7-field rule).
"""

from __future__ import annotations

import difflib
import functools
import re
import zoneinfo
from dataclasses import dataclass

__all__ = ["CronProblem", "check_quartz", "check_timezone"]

EXAMPLE = "`0 0 2 * * ? *`"
LAYOUT = "seconds minutes hours day-of-month month day-of-week [year]"


@dataclass(frozen=True, slots=True)
class CronProblem:
    col: int  # 0-based offset into the expression where the problem starts
    message: str


@dataclass(frozen=True, slots=True)
class _Field:
    name: str
    lo: int
    hi: int
    max_step: int
    names: tuple[str, ...] = ()  # names[i] stands for lo + i

    @property
    def accepted(self) -> str:
        words = f" or {self.names[0]}-{self.names[-1]}" if self.names else ""
        first = f" ({self.lo}={self.names[0]})" if self.names == _DAYS else ""
        return f"{self.lo}-{self.hi}{first}{words}"


_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_DAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
_FIELDS = (
    _Field("seconds", 0, 59, 59),
    _Field("minutes", 0, 59, 59),
    _Field("hours", 0, 23, 23),
    _Field("day-of-month", 1, 31, 31),
    _Field("month", 1, 12, 12, _MONTHS),
    _Field("day-of-week", 1, 7, 7, _DAYS),
    _Field("year", 1970, 2099, 129),
)
_DOM, _DOW = 3, 5


class _Bad(Exception):
    """A problem inside one field: relative offset and message."""

    def __init__(self, offset: int, message: str) -> None:
        super().__init__(message)
        self.offset = offset
        self.message = message


def check_quartz(expr: str) -> list[CronProblem]:
    """Every problem in `expr` as DolphinScheduler's Quartz validation sees it; [] if valid."""
    tokens = [(m.start(), m.group()) for m in re.finditer(r"\S+", expr)]
    if not tokens:
        return [
            CronProblem(
                0, f"empty cron expression: expected 6 or 7 fields ({LAYOUT}), e.g. {EXAMPLE}"
            )
        ]
    if len(tokens) == 5:
        return [CronProblem(tokens[0][0], _unix_message([t for _, t in tokens]))]
    if len(tokens) not in (6, 7):
        col = tokens[7][0] if len(tokens) > 7 else tokens[0][0]
        return [
            CronProblem(
                col, f"expected 6 or 7 fields ({LAYOUT}), got {len(tokens)}; e.g. {EXAMPLE}"
            )
        ]
    problems: list[CronProblem] = []
    for (col, text), spec in zip(tokens, _FIELDS, strict=False):
        try:
            _check_field(text, spec)
        except _Bad as bad:
            problems.append(CronProblem(col + bad.offset, bad.message))
    problems.extend(_day_rule(tokens))
    return sorted(problems, key=lambda p: p.col)


def _day_rule(tokens: list[tuple[int, str]]) -> list[CronProblem]:
    dom, dow = tokens[_DOM], tokens[_DOW]
    rule = f"day-of-month and day-of-week: exactly one must be `?` (e.g. {EXAMPLE})"
    if dom[1] == "?" and dow[1] == "?":
        return [CronProblem(dow[0], f"{rule}; both are `?`")]
    if dom[1] != "?" and dow[1] != "?":
        return [CronProblem(dow[0], f"{rule}; neither is: use `?` in the day field you don't need")]
    return []


def _check_field(text: str, spec: _Field) -> None:
    if text == "?":
        if spec.name not in ("day-of-month", "day-of-week"):
            raise _Bad(0, f"`?` is only allowed in day-of-month or day-of-week, not in {spec.name}")
        return
    items = text.split(",")
    offset = 0
    for item in items:
        if item == "":
            raise _Bad(offset, f"{spec.name}: empty list item in `{text}`")
        if len(items) > 1 and _is_special(item, spec):
            raise _Bad(offset, f"{spec.name}: `{item}` must stand alone, not in a list")
        try:
            _check_item(item, spec)
        except _Bad as bad:
            raise _Bad(offset + bad.offset, bad.message) from None
        offset += len(item) + 1


def _is_special(item: str, spec: _Field) -> bool:
    up = item.upper()
    if spec.name == "day-of-month":
        return up.startswith("L") or up.endswith("W") or up == "?"
    if spec.name == "day-of-week":
        return up.endswith("L") or "#" in up or up == "?"
    return False


def _check_item(item: str, spec: _Field) -> None:
    up = item.upper()
    if up == "?":
        if spec.name not in ("day-of-month", "day-of-week"):
            raise _Bad(0, f"`?` is only allowed in day-of-month or day-of-week, not in {spec.name}")
        raise _Bad(0, f"{spec.name}: `?` must be the whole field")
    if spec.name == "day-of-month" and ("L" in up or "W" in up):
        _check_dom_special(up)
        return
    if spec.name == "day-of-week" and ("L" in up or "#" in up) and "/" not in up:
        _check_dow_special(up)
        return
    base, sep, step = item.partition("/")
    if sep:
        _check_step(step, len(base) + 1, spec)
        if base == "*":
            return
        if "-" not in base:
            _value(base, 0, spec)
            return
    elif base == "*":
        return
    if "-" in base:
        start, _, end = base.partition("-")
        _value(start, 0, spec)
        _value(end, len(start) + 1, spec)
        return
    _value(base, 0, spec)


def _check_dom_special(up: str) -> None:
    if up in ("L", "LW"):
        return
    if up.startswith("L-"):
        n = up[2:]
        if not n.isdigit() or not 1 <= int(n) <= 30:
            raise _Bad(2, f"day-of-month: `L-n` needs n in 1-30 (days before the last), got `{n}`")
        return
    if up.endswith("W"):
        n = up[:-1]
        if not n.isdigit() or not 1 <= int(n) <= 31:
            raise _Bad(0, f"day-of-month: `W` takes one day 1-31 (e.g. `15W`) or `LW`, got `{up}`")
        return
    raise _Bad(0, f"day-of-month: `{up}` is not valid; accepted: 1-31, `L`, `L-3`, `15W`, `LW`")


def _check_dow_special(up: str) -> None:
    day = _FIELDS[_DOW]
    if up == "L":
        return
    if up.endswith("L"):
        _value(up[:-1], 0, day)
        return
    if "#" in up:
        d, _, n = up.partition("#")
        _value(d, 0, day)
        if not n.isdigit() or not 1 <= int(n) <= 5:
            raise _Bad(
                len(d) + 1,
                f"day-of-week: `#n` needs n in 1-5 (nth weekday of the "
                f"month, e.g. `2#1`), got `{n}`",
            )
        return
    raise _Bad(0, f"day-of-week: `{up}` is not valid; accepted: 1-7 or SUN-SAT, `L`, `6L`, `2#1`")


def _check_step(step: str, offset: int, spec: _Field) -> None:
    if not step.isdigit():
        raise _Bad(offset, f"{spec.name}: step after `/` must be a number, got `{step}`")
    if not 1 <= int(step) <= spec.max_step:
        raise _Bad(offset, f"{spec.name}: step must be 1-{spec.max_step}, got {int(step)}")


def _value(text: str, offset: int, spec: _Field) -> int:
    if text.isdigit():
        n = int(text)
        if not spec.lo <= n <= spec.hi:
            raise _Bad(offset, f"{spec.name}: {n} is out of range; accepted: {spec.accepted}")
        return n
    if text.upper() in spec.names:
        return spec.lo + spec.names.index(text.upper())
    if not text:
        raise _Bad(offset, f"{spec.name}: missing value; accepted: {spec.accepted}")
    kind = "name" if text.isalpha() else "value"
    raise _Bad(offset, f"{spec.name}: unknown {kind} `{text}`; accepted: {spec.accepted}")


def _unix_message(fields: list[str]) -> str:
    minute, hour, dom, month, dow = fields
    if dow == "*":
        dow = "?"
    elif dom == "*":
        dom = "?"
    else:
        # Unix ORs the two day fields; Quartz cannot, so keep the weekday and say so.
        dom = "?"
    if dow != "?":
        dow = re.sub(r"(?<![/\d])\d+", lambda m: str(int(m.group()) % 7 + 1), dow)
    quartz = " ".join(("0", minute, hour, dom, month, dow, "*"))
    return (
        f"this is a 5-field Unix cron; DolphinScheduler needs Quartz ({LAYOUT}), "
        f"seconds first and `?` in one day field: use `{quartz}`"
    )


@functools.cache
def _zones() -> frozenset[str]:
    # available_timezones() walks the tz database on disk: do it once, and only when asked.
    return frozenset(zoneinfo.available_timezones())


_OFFSET = re.compile(r"(?:UTC|GMT|UT)?[+-](?:\d{1,2}|\d{2}:?\d{2}|\d{2}:\d{2}:\d{2}|\d{6})")


def check_timezone(name: str) -> str | None:
    """None if DolphinScheduler (Java `ZoneId`) accepts `name`; else why, with a suggestion."""
    if not name or name != name.strip():
        return f"time zone `{name}` is not valid: use an IANA name such as `Asia/Shanghai` or `UTC`"
    if name in ("UTC", "GMT", "UT", "Z") or name in _zones():
        return None
    if _OFFSET.fullmatch(name):
        return _offset_problem(name)
    zones = _zones()
    if not zones:  # no tz database on this machine: nothing to check against
        return None
    return (
        f"unknown time zone `{name}`{_suggest(name, zones)}; use an IANA name such as "
        f"`Asia/Shanghai`, `UTC`, or an offset such as `GMT+8`"
    )


def _offset_problem(name: str) -> str | None:
    digits = re.sub(r"^(?:UTC|GMT|UT)?[+-]", "", name).replace(":", "")
    hours = int(digits[:2]) if len(digits) > 2 else int(digits)
    rest = digits[2:] if len(digits) > 2 else ""
    if hours > 18 or any(int(rest[i : i + 2]) > 59 for i in range(0, len(rest), 2)):
        return f"time zone offset `{name}` is out of range: Java accepts -18:00 to +18:00"
    return None


def _suggest(name: str, zones: frozenset[str]) -> str:
    folded = {z.lower(): z for z in zones}
    if name.lower() in folded:
        return f" (zone ids are case-sensitive: did you mean `{folded[name.lower()]}`?)"
    close = difflib.get_close_matches(name, zones, n=1, cutoff=0.75)
    return f" (did you mean `{close[0]}`?)" if close else ""
