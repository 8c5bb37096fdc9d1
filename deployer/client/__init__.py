"""DolphinScheduler REST client: transport, the named retry policy and the API generations."""

from __future__ import annotations

from deployer.client.api import DSClient
from deployer.client.retry import RetryPolicy

__all__ = ["DSClient", "RetryPolicy"]
