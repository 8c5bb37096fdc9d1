"""The `dagship` console script.

`dagship commit-msg FILE` and `dagship lint [--force-exclude] [PATH...]` run on every
commit, so their start-up is part of their quality (SPEC §5): in exactly the forms
pre-commit calls them (no other option), they run without importing click (about 20 ms of
each run). Every other command line goes
through the click CLI, which gives the same results for these forms.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from deployer.core.boundary import guarded
from deployer.core.config import load_config
from deployer.output.tty import use_color

# Each form imports its hook only when it runs; click is imported only past the fast forms.


def _commit_msg(file: str) -> int:
    from hooks.commit_msg import run_commit_msg

    color = use_color(None, sys.stderr)
    return run_commit_msg(load_config(None), file=file, rev_range=None, fmt="text",
                          junit_path=None, allow_autosquash=None, color=color)


def _lint(paths: list[str], force_exclude: bool) -> int:
    from deployer.core.ci import default_format
    from hooks.lint import run_lint

    color = use_color(None, sys.stdout)
    return run_lint(load_config(None), paths, fmt=default_format(os.environ), junit_path=None,
                    codequality_path=None, color=color, force_exclude=force_exclude)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    # Only option-free forms; DAGSHIP_CONFIG is an option of the click CLI: with it set, or
    # with any option, the click CLI runs.
    plain = not os.environ.get("DAGSHIP_CONFIG") and not any(a.startswith("-") for a in args)
    if plain and len(args) == 2 and args[0] == "commit-msg":
        return guarded(lambda: _commit_msg(args[1]))
    # `lint --force-exclude FILE...` is the pre-commit hook's form: fast as well
    hook = args[:2] == ["lint", "--force-exclude"]
    rest = args[2:] if hook else args[1:]
    if (not os.environ.get("DAGSHIP_CONFIG") and args[:1] == ["lint"]
            and not any(a.startswith("-") for a in rest)):
        return guarded(lambda: _lint(rest, hook))
    from deployer.cli.main import main as cli_main

    return cli_main(args)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
