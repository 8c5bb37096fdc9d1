"""The ship fixtures (see tests/helpers/ship.py), registered here by import."""

from tests.helpers.ship import (  # noqa: F401
    dagship_git,
    quickstart_wheelhouse,
    release_wheelhouse,
    wheelhouse,
)
