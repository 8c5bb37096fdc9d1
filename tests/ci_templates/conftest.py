"""The ship fixtures (see tests/helpers/ship.py), registered here by import."""

from tests.helpers.ship import (  # noqa: F401
    dagship_git,
    release_wheelhouse,
    wheelhouse,
)
