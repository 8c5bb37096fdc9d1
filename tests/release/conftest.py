"""The ship fixtures (see tests/shipfix.py)."""

from shipfix import dagship_git, release_wheelhouse, wheelhouse  # noqa: F401 - fixtures, registered by import
