"""Shared constants and helpers of the client tests (imported by the test modules)."""

from __future__ import annotations

from typing import Any

BASE = "http://ds.test/dolphinscheduler"
TOKEN = "tok-3f9a6c1e0b2d4a8f9e7c5b3a1d0f2e4c"


def env(data: Any = None, code: int = 0, msg: str = "success") -> dict[str, Any]:
    """A DolphinScheduler response envelope."""
    return {"code": code, "msg": msg, "data": data, "success": code == 0, "failed": code != 0}


class FakeTime:
    """Injected clock and sleep: sleeping advances the clock and records the wait."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


SCHEDULE = {"startTime": "2024-01-01 00:00:00", "endTime": "2099-12-31 00:00:00",
            "crontab": "0 0 2 * * ? *", "timezoneId": "UTC"}  # fmt: skip


def schedule_form(crontab: str = "0 0 2 * * ? *") -> dict[str, Any]:
    """Every schedule field, as the reference says to send them (3.3+ names)."""
    return {
        "schedule": SCHEDULE | {"crontab": crontab},
        "failureStrategy": "END",
        "warningType": "NONE",
        "warningGroupId": 0,
        "workflowInstancePriority": "MEDIUM",
        "workerGroup": "default",
        "tenantCode": "default",
        "environmentCode": -1,
    }
