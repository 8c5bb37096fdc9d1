"""A small Quartz cron evaluator for `schedules/preview` (next fire times).

Supports lists, ranges (also wrapping ones), steps, `*`, `?`, names (JAN, MON), `L` and `LW`
and `nW` in day-of-month, and `nL` / `n#k` in day-of-week. Validity is decided elsewhere
(`deployer.definitions.cron.check_quartz`); anything this evaluator cannot read yields no times.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from datetime import date, datetime, timedelta

__all__ = ["next_times"]

_MONTHS = {m.upper(): i for i, m in enumerate(calendar.month_abbr) if m}
_DAYS = {d: i for i, d in enumerate(("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"), start=1)}


def _value(text: str, names: dict[str, int]) -> int:
    return names[text.upper()] if text.upper() in names else int(text)


def _plain(field: str, lo: int, hi: int, names: dict[str, int] | None = None) -> set[int]:
    names = names or {}
    out: set[int] = set()
    for item in field.split(","):
        step = 1
        stepped = "/" in item
        if stepped:
            item, step_text = item.split("/", 1)
            step = int(step_text)
        if item in ("*", "?"):
            start, end = lo, hi
        elif "-" in item:
            a, b = item.split("-", 1)
            start, end = _value(a, names), _value(b, names)
        else:
            start = _value(item, names)
            end = hi if stepped else start
        if end < start:  # Quartz wraps reversed ranges around
            span = list(range(start, hi + 1)) + list(range(lo, end + 1))
            out.update(span[::step])
        else:
            out.update(range(start, end + 1, step))
    return out


def _dom_matches(field: str, day: date) -> bool:
    last = calendar.monthrange(day.year, day.month)[1]
    up = field.upper()
    if up == "L":
        return day.day == last
    if up.startswith("L-"):
        return day.day == last - int(up[2:])
    if up == "LW":
        last_weekday = last
        while date(day.year, day.month, last_weekday).weekday() >= 5:
            last_weekday -= 1
        return day.day == last_weekday
    if up.endswith("W"):
        want = int(up[:-1])
        target = date(day.year, day.month, min(want, last))
        if target.weekday() == 5:
            target = target - timedelta(days=1) if target.day > 1 else target + timedelta(days=2)
        elif target.weekday() == 6:
            target = target + timedelta(days=1) if target.day < last else target - timedelta(2)
        return day == target
    return day.day in _plain(field, 1, 31)


def _dow_matches(field: str, day: date) -> bool:
    quartz_dow = (day.weekday() + 1) % 7 + 1  # Monday=0 -> 2; Sunday=6 -> 1
    up = field.upper()
    if "#" in up:
        d, nth = up.split("#", 1)
        return quartz_dow == _value(d, _DAYS) and (day.day - 1) // 7 + 1 == int(nth)
    if up.endswith("L") and len(up) > 1:
        last = calendar.monthrange(day.year, day.month)[1]
        return quartz_dow == _value(up[:-1], _DAYS) and day.day + 7 > last
    if up == "L":
        return quartz_dow == 7
    return quartz_dow in _plain(field, 1, 7, _DAYS)


def _fires(expr: str, start: datetime) -> Iterator[datetime]:
    fields = expr.split()
    secs, mins, hours = (sorted(_plain(f, 0, hi)) for f, hi in zip(fields[:3], (59, 59, 23),
                                                                     strict=True))
    months = _plain(fields[4], 1, 12, _MONTHS)
    years = _plain(fields[6], 1970, 2099) if len(fields) == 7 else set(range(1970, 2100))
    dom, dow = fields[3], fields[5]
    day = start.date()
    while day.year <= 2099:
        if day.year in years and day.month in months and (
                (dom == "?" or _dom_matches(dom, day)) and (dow == "?" or _dow_matches(dow, day))):
            for h in hours:
                for m in mins:
                    for s in secs:
                        moment = datetime(day.year, day.month, day.day, h, m, s,
                                          tzinfo=start.tzinfo)
                        if moment >= start:
                            yield moment
        day += timedelta(days=1)


def next_times(expr: str, start: datetime, end: datetime, count: int = 5) -> list[datetime]:
    """Up to `count` fire times in [start, end]; [] if the expression is not understood."""
    out: list[datetime] = []
    try:
        for moment in _fires(expr, start):
            if moment > end or len(out) >= count:
                break
            out.append(moment)
    except (ValueError, KeyError, IndexError):
        return []
    return out
