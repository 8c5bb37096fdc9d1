from __future__ import annotations

import pytest

from deployer.definitions.cron import CronProblem, check_quartz, check_timezone

DAY_RULE = "day-of-month and day-of-week: exactly one must be `?` (e.g. `0 0 2 * * ? *`)"
LAYOUT = "seconds minutes hours day-of-month month day-of-week [year]"


@pytest.mark.parametrize(
    "expr",
    [
        "0 0 2 * * ? *",
        "0 0 2 * * ?",
        "0 15 10 ? * 6L 2002-2005",
        "0 0/5 14,18 * * ?",
        "0 0 12 1W * ?",
        "0 0 12 ? * 2#1",
        "0 0 12 ? * 7#5",
        "0 0 12 L * ?",
        "0 0 12 L-3 * ?",
        "0 0 12 LW * ?",
        "0 0 12 ? * L",
        "0 0 12 ? * fril",
        "0 0 12 ? * FRI#3",
        "0 15 10 ? * MON-FRI",
        "0 15 10 ? * mon-fri *",
        "0 10,44 14 ? 3 WED",
        "0 0 0 ? jan-mar,Dec SUN",
        "*/10 * * * * ?",
        "0 */15 * * * ? 2030/2",
        "59 59 23 31 12 ? 2099",
        "0 0 0 * * ? 1970",
        "0 0 22-2 * * ?",
        "0 5-55/5 8-18 ? * 2-6",
        "0 0 0 1/2 * ?",
        "0 0 0 ? * 1/2",
        "  0 0 2 * * ?  ",
        "0\t0\t2\t*\t*\t?",
    ],
)
def test_valid_expressions(expr: str) -> None:
    assert check_quartz(expr) == []


@pytest.mark.parametrize(
    ("expr", "col", "message"),
    [
        ("", 0, f"empty cron expression: expected 6 or 7 fields ({LAYOUT}), e.g. `0 0 2 * * ? *`"),
        (
            "   ",
            0,
            f"empty cron expression: expected 6 or 7 fields ({LAYOUT}), e.g. `0 0 2 * * ? *`",
        ),
        ("0 0 2 * * ? * *", 14, f"expected 6 or 7 fields ({LAYOUT}), got 8; e.g. `0 0 2 * * ? *`"),
        ("0 2 * *", 0, f"expected 6 or 7 fields ({LAYOUT}), got 4; e.g. `0 0 2 * * ? *`"),
        ("0 0 2 ? * ?", 10, f"{DAY_RULE}; both are `?`"),
        ("0 0 2 * * *", 10, f"{DAY_RULE}; neither is: use `?` in the day field you don't need"),
        ("0 0 2 1 * MON *", 10, f"{DAY_RULE}; neither is: use `?` in the day field you don't need"),
        ("0 0 24 * * ?", 4, "hours: 24 is out of range; accepted: 0-23"),
        ("60 0 2 * * ?", 0, "seconds: 60 is out of range; accepted: 0-59"),
        ("0 0 2,99 * * ?", 6, "hours: 99 is out of range; accepted: 0-23"),
        ("0 0 2 0 * ?", 6, "day-of-month: 0 is out of range; accepted: 1-31"),
        ("0 0 2 * 13 ?", 8, "month: 13 is out of range; accepted: 1-12 or JAN-DEC"),
        ("0 0 2 * 1-13 ?", 10, "month: 13 is out of range; accepted: 1-12 or JAN-DEC"),
        ("0 0 2 ? * 0", 10, "day-of-week: 0 is out of range; accepted: 1-7 (1=SUN) or SUN-SAT"),
        ("0 0 2 ? * 8", 10, "day-of-week: 8 is out of range; accepted: 1-7 (1=SUN) or SUN-SAT"),
        ("0 0 2 * JANU ?", 8, "month: unknown name `JANU`; accepted: 1-12 or JAN-DEC"),
        (
            "0 0 2 ? * MON-FRY",
            14,
            "day-of-week: unknown name `FRY`; accepted: 1-7 (1=SUN) or SUN-SAT",
        ),
        ("0 0 2 * MON ?", 8, "month: unknown name `MON`; accepted: 1-12 or JAN-DEC"),
        ("0 0 x2 * * ?", 4, "hours: unknown value `x2`; accepted: 0-23"),
        ("0 0/0 2 * * ?", 4, "minutes: step must be 1-59, got 0"),
        ("0 */60 2 * * ?", 4, "minutes: step must be 1-59, got 60"),
        ("0 0 */24 * * ?", 6, "hours: step must be 1-23, got 24"),
        ("0 0/x 2 * * ?", 4, "minutes: step after `/` must be a number, got `x`"),
        ("0 0 2 * * ? 1969", 12, "year: 1969 is out of range; accepted: 1970-2099"),
        ("0 0 2 * * ? 2100", 12, "year: 2100 is out of range; accepted: 1970-2099"),
        ("0 0 2 * * ? 2020-2100", 17, "year: 2100 is out of range; accepted: 1970-2099"),
        (
            "0 0 2 ? * 6#6",
            12,
            "day-of-week: `#n` needs n in 1-5 (nth weekday of the month, e.g. `2#1`), got `6`",
        ),
        (
            "0 0 2 ? * 6#0",
            12,
            "day-of-week: `#n` needs n in 1-5 (nth weekday of the month, e.g. `2#1`), got `0`",
        ),
        ("0 0 2 ? * 9L", 10, "day-of-week: 9 is out of range; accepted: 1-7 (1=SUN) or SUN-SAT"),
        (
            "0 0 2 L-31 * ?",
            8,
            "day-of-month: `L-n` needs n in 1-30 (days before the last), got `31`",
        ),
        (
            "0 0 2 32W * ?",
            6,
            "day-of-month: `W` takes one day 1-31 (e.g. `15W`) or `LW`, got `32W`",
        ),
        (
            "0 0 2 1-5W * ?",
            6,
            "day-of-month: `W` takes one day 1-31 (e.g. `15W`) or `LW`, got `1-5W`",
        ),
        ("0 0 2 1,15W * ?", 8, "day-of-month: `15W` must stand alone, not in a list"),
        ("0 0 2 ? * 2#1,3#1", 10, "day-of-week: `2#1` must stand alone, not in a list"),
        ("0 0 2 1,? * ?", 8, "day-of-month: `?` must stand alone, not in a list"),
        ("0 ? 2 * * ?", 2, "`?` is only allowed in day-of-month or day-of-week, not in minutes"),
        ("0 0 2 * * ? ?", 12, "`?` is only allowed in day-of-month or day-of-week, not in year"),
        ("0 0 2 1,,2 * ?", 8, "day-of-month: empty list item in `1,,2`"),
        ("0 0 2- * * ?", 6, "hours: missing value; accepted: 0-23"),
        (
            "0 0 2 LX * ?",
            6,
            "day-of-month: `LX` is not valid; accepted: 1-31, `L`, `L-3`, `15W`, `LW`",
        ),
    ],
)
def test_invalid_expressions(expr: str, col: int, message: str) -> None:
    assert check_quartz(expr) == [CronProblem(col, message)]


@pytest.mark.parametrize(
    ("expr", "quartz"),
    [
        ("30 2 * * *", "0 30 2 * * ? *"),
        ("*/5 * * * *", "0 */5 * * * ? *"),
        ("0 3 1 * *", "0 0 3 1 * ? *"),
        ("0 3 * * 1-5", "0 0 3 ? * 2-6 *"),
        ("0 3 * * 0,6", "0 0 3 ? * 1,7 *"),
        ("0 3 * * 7", "0 0 3 ? * 1 *"),
        ("0 3 * * */2", "0 0 3 ? * */2 *"),
        ("0 3 * * MON", "0 0 3 ? * MON *"),
        ("0 3 1 * 1", "0 0 3 ? * 2 *"),
    ],
)
def test_unix_cron_is_rejected_with_the_quartz_equivalent(expr: str, quartz: str) -> None:
    problems = check_quartz(expr)
    assert problems == [
        CronProblem(
            0,
            (
                f"this is a 5-field Unix cron; DolphinScheduler needs Quartz ({LAYOUT}), "
                f"seconds first and `?` in one day field: use `{quartz}`"
            ),
        )
    ]
    assert check_quartz(quartz) == []


def test_unix_cron_column_skips_leading_space() -> None:
    assert check_quartz("  30 2 * * *")[0].col == 2


def test_every_bad_field_is_reported_in_column_order() -> None:
    assert check_quartz("61 0 25 ? * ? 1900") == [
        CronProblem(0, "seconds: 61 is out of range; accepted: 0-59"),
        CronProblem(5, "hours: 25 is out of range; accepted: 0-23"),
        CronProblem(12, f"{DAY_RULE}; both are `?`"),
        CronProblem(14, "year: 1900 is out of range; accepted: 1970-2099"),
    ]


@pytest.mark.parametrize(
    "name",
    [
        "Asia/Shanghai",
        "UTC",
        "GMT",
        "Europe/Berlin",
        "America/New_York",
        "Etc/GMT+8",
        "GMT+8",
        "GMT+08:00",
        "GMT-0530",
        "UTC+8",
        "UTC-03:30",
        "UT+1",
        "+08:00",
        "-5",
        "Z",
    ],
)
def test_valid_timezones(name: str) -> None:
    assert check_timezone(name) is None


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "Asia/Shangai",
            "unknown time zone `Asia/Shangai` (did you mean `Asia/Shanghai`?); "
            "use an IANA name such as `Asia/Shanghai`, `UTC`, or an offset such "
            "as `GMT+8`",
        ),
        (
            "Europe/Berln",
            "unknown time zone `Europe/Berln` (did you mean `Europe/Berlin`?); "
            "use an IANA name such as `Asia/Shanghai`, `UTC`, or an offset such "
            "as `GMT+8`",
        ),
        (
            "asia/shanghai",
            "unknown time zone `asia/shanghai` (zone ids are case-sensitive: "
            "did you mean `Asia/Shanghai`?); use an IANA name such as "
            "`Asia/Shanghai`, `UTC`, or an offset such as `GMT+8`",
        ),
        (
            "Mars/Olympus",
            "unknown time zone `Mars/Olympus`; use an IANA name such as "
            "`Asia/Shanghai`, `UTC`, or an offset such as `GMT+8`",
        ),
        ("GMT+19", "time zone offset `GMT+19` is out of range: Java accepts -18:00 to +18:00"),
        (
            "UTC+08:75",
            "time zone offset `UTC+08:75` is out of range: Java accepts -18:00 to +18:00",
        ),
        ("", "time zone `` is not valid: use an IANA name such as `Asia/Shanghai` or `UTC`"),
        (
            " UTC",
            "time zone ` UTC` is not valid: use an IANA name such as `Asia/Shanghai` or `UTC`",
        ),
    ],
)
def test_invalid_timezones(name: str, message: str) -> None:
    assert check_timezone(name) == message
