"""The `dagship` console script.

`dagship commit-msg FILE` runs on every commit, so its start-up is part of its quality
(SPEC §5): in exactly the form pre-commit calls it, it runs without importing click
(about 20 ms of a ~60 ms run). Every other command line goes through the click CLI.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence


def _commit_msg(file: str) -> int:
    from deployer.config import load_config
    from hooks.commit_msg import run_commit_msg

    color = bool(getattr(sys.stderr, "isatty", lambda: False)())
    return run_commit_msg(load_config(None), file=file, rev_range=None, fmt="text",
                          junit_path=None, allow_autosquash=None, color=color)


def main(argv: Sequence[str] | None = None) -> int:
    import os

    args = list(sys.argv[1:] if argv is None else argv)
    # DAGSHIP_CONFIG is an option of the click CLI: with it set, take that path.
    if (len(args) == 2 and args[0] == "commit-msg" and not args[1].startswith("-")
            and not os.environ.get("DAGSHIP_CONFIG")):
        from deployer.boundary import guarded

        return guarded(lambda: _commit_msg(args[1]))
    from deployer.cli import main as cli_main

    return cli_main(args)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
