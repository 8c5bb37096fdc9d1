"""`python -m deployer.sandbox.replay FOLDER... [--allowances DIR]` (see the package doc)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from deployer.sandbox.replay import RecordingError, judge, load, load_allowances, replay

DEFAULT_ALLOWANCES = Path("tests/replay/allowances")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m deployer.sandbox.replay",
                                 description="replay recorded DolphinScheduler exchanges "
                                             "against the sandbox")
    ap.add_argument("folders", nargs="+", type=Path, help="recording folders")
    ap.add_argument("--allowances", type=Path, default=DEFAULT_ALLOWANCES,
                    help="folder of <recording name>.yaml allowance files "
                         f"(default {DEFAULT_ALLOWANCES})")
    args = ap.parse_args(argv)
    failed = False
    for folder in args.folders:
        try:
            recording = load(folder)
            allowances = load_allowances(args.allowances / f"{recording.name}.yaml")
        except (RecordingError, OSError) as exc:
            sys.stderr.write(f"error: {exc}\n")
            return 2
        verdict = judge(replay(recording), allowances)
        sys.stdout.write("\n".join(verdict.lines()) + "\n")
        failed = failed or not verdict.ok
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
