"""`python -m deployer.sandbox [options]`: the same command as `dagship sandbox`."""

from __future__ import annotations

import sys

from deployer.cli.main import cli, main

if __name__ == "__main__":
    sys.exit(main(["sandbox", *sys.argv[1:]]) if cli else 1)
