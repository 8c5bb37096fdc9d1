"""dagship: Git-driven DataOps for Apache DolphinScheduler.

Kept import-free on purpose: every hook starts by importing this package, and a
commit-msg hook must not pay for requests or tenacity.
"""

__version__ = "0.1.0"
