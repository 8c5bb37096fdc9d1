"""Workflow schedule: Quartz cron, time zone, start/end dates -> ScheduleSpec.

Defaults, decided where pydolphinscheduler depends on the clock or the client config:
- time zone: `Asia/Shanghai` (pyds' default, kept so existing files deploy the same), with
  warning WF305 asking to write `timezone:` explicitly;
- start: a fixed `2000-01-01 00:00:00` (pyds uses "now", which would make every deploy differ);
- end: pyds' `9999-12-31 23:59:59` is clamped to `2099-12-31 23:59:59`, the last year
  Quartz (cron-utils) accepts; an explicit end is kept as written.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from deployer.definitions._collect import Collector
from deployer.definitions.model import ScheduleSpec
from deployer.yaml.nodes import Mark, MDict

DEFAULT_TZ = "Asia/Shanghai"
DEFAULT_START = "2000-01-01 00:00:00"
DEFAULT_END = "2099-12-31 23:59:59"
_DATE = re.compile(r"^(\d{4})([-/]?)(\d{2})\2(\d{2})(?: (\d{2})(:?)(\d{2})\6(\d{2}))?$")
_ACCEPTED = ("YYYY-MM-DD, YYYY/MM/DD or YYYYMMDD, optionally followed by "
             "` HH:MM:SS` or ` HHMMSS`")
_ONLY_WITH_SCHEDULE = ("online_schedule", "start_time", "end_time", "timezone")

Text = Callable[[str], str | None]  # a workflow key's resolved string value, if any


def _quote_shift(line_text: str, mark: Mark) -> int:
    ch = line_text[mark.col - 1] if 0 < mark.col <= len(line_text) else ""
    return 1 if ch in ('"', "'") else 0


def parse_time(value: str) -> str | None:
    """pyds' accepted date forms -> `yyyy-MM-dd HH:mm:ss`, or None when not one of them."""
    m = _DATE.match(value.strip())
    if not m:
        return None
    y, mo, d = int(m.group(1)), int(m.group(3)), int(m.group(4))
    h, mi, s = (int(m.group(i)) if m.group(i) else 0 for i in (5, 7, 8))
    try:
        stamp = dt.datetime(y, mo, d, h, mi, s)  # noqa: DTZ001 - a wall-clock time in `timezone`
    except ValueError:
        return None
    return stamp.strftime("%Y-%m-%d %H:%M:%S")


def build_schedule(wf: MDict, text: Text, out: Collector, line_of: Callable[[int], str],
                   worker_group: str, warning_type: str) -> ScheduleSpec | None:
    cron = text("schedule")
    if cron is None:
        for key in _ONLY_WITH_SCHEDULE:
            if key in wf:
                out.add("WF306", wf.key_mark(key), f"`{key}` has no effect without "
                        "`schedule:` (a Quartz cron such as \"0 0 2 * * ? *\")")
        return None
    from deployer.definitions.cron import check_quartz, check_timezone

    mark = wf.value_mark("schedule")
    shift = _quote_shift(line_of(mark.line), mark)
    bad = False
    for problem in check_quartz(cron):
        bad = True
        out.add("WF301", Mark(mark.line, mark.col + shift + problem.col),
                f"schedule {cron!r}: {problem.message}")
    tz = text("timezone")
    if tz is None:
        out.add("WF305", wf.key_mark("schedule"), f"no `timezone:`; pydolphinscheduler's "
                f"default {DEFAULT_TZ} is used; write the zone explicitly, e.g. "
                "`timezone: Europe/Berlin` or `timezone: UTC`")
        tz = DEFAULT_TZ
    else:
        problem_tz = check_timezone(tz)
        if problem_tz:
            bad = True
            out.add("WF302", wf.value_mark("timezone"), problem_tz)
    start = _time(wf, "start_time", text, out, DEFAULT_START)
    end = _time(wf, "end_time", text, out, DEFAULT_END)
    if start is None or end is None or bad:
        return None
    if start >= end:
        where = wf.value_mark("start_time") if "start_time" in wf else wf.value_mark("end_time")
        out.add("WF304", where, f"start_time {start} is not before end_time {end}")
        return None
    online = wf.get("online_schedule")
    return ScheduleSpec(
        crontab=cron.strip(), timezone=tz, start_time=start, end_time=end,
        online=online if isinstance(online, bool) else True,
        warning_type=warning_type, worker_group=worker_group,
    )


def _time(wf: MDict, key: str, text: Text, out: Collector, default: str) -> str | None:
    raw = text(key)
    if raw is None:
        return default
    parsed = parse_time(raw)
    if parsed is None:
        out.add("WF303", wf.value_mark(key), f"{key} {raw!r} is not a date; accepted: {_ACCEPTED}")
    return parsed
