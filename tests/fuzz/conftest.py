"""Hypothesis profiles for the fuzz suites.

`ci` (the default) runs a fixed example budget so `make test` stays quick and deterministic
(derandomized: the same examples on every run). `deep` (`make fuzz`) explores for much longer
with a fresh seed each run and keeps failures in `.hypothesis/` to replay them.

The deadline is a hang detector, not a speed target: an example that takes seconds is a bug
(a quadratic loop, an alias expanded), whatever the machine's load.
"""

from __future__ import annotations

import os
from datetime import timedelta

from hypothesis import HealthCheck, settings

_COMMON = {"deadline": timedelta(seconds=10),
           "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large]}
settings.register_profile("ci", max_examples=60, derandomize=True, database=None, **_COMMON)
settings.register_profile("deep", max_examples=3000, **_COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
