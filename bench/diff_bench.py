#!/usr/bin/env python3
"""How much does `dagship diff` cost next to `dagship lint` of the same repository?

A diff reads two commits from Git (ls-tree + one streamed cat-file each), loads both sides
through the lint loader and compares them, so its natural yardstick is one lint: the
target is at most 2.5x the time of `dagship lint` (two loads plus the Git reads and the
comparison), with a peak memory under 2.5x lint's as well.

The repository is lint_bench's generator (default 200 files of 50 tasks), committed; then
every tenth workflow is regenerated with another seed (tasks, scripts and deps change) and
committed again. Timed the same way as lint_bench: a fresh process each, one warm-up, then
interleaved runs, median wall time, CPU time and peak RSS of the child.

    .venv/bin/python bench/diff_bench.py [--files 200] [--tasks 50] [--runs 3] [--check]
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from lint_bench import VENV_BIN, Result, generate, measure, workflow_text

TARGET_RATIO = 2.5
GIT_ENV = {"GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.com",
           "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.com",
           "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True,
                   env={**os.environ, **GIT_ENV})


def build(repo: Path, files: int, tasks: int, seed: int) -> int:
    """Two commits; returns how many workflows the second one changed."""
    generate(repo, files, tasks, seed)
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "--no-verify", "-m", "first")
    rng = random.Random(seed + 1)
    changed = list(range(0, files, 10))
    for index in changed:
        path = repo / "workflows" / f"wf_{index:04d}.yaml"
        path.write_text(workflow_text(rng, index, tasks), encoding="utf-8")
    _git(repo, "commit", "-q", "--no-verify", "-am", "second")
    return len(changed)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--tasks", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--check", action="store_true",
                        help=f"exit 1 when diff takes more than {TARGET_RATIO}x lint")
    args = parser.parse_args(argv)
    dagship = str(VENV_BIN / "dagship")
    with tempfile.TemporaryDirectory(prefix="dagship-diff-bench-") as tmp:
        repo = Path(tmp)
        changed = build(repo, args.files, args.tasks, args.seed)
        lint = Result("dagship lint", [dagship, "lint"])
        diff = Result("dagship diff HEAD~1 HEAD", [dagship, "diff", "HEAD~1", "HEAD",
                                                   "--format", "json"])
        measure([lint, diff], repo, args.runs)
    print(f"repository: {args.files} workflows x {args.tasks} tasks; {changed} changed "
          f"between the two commits; {args.runs} runs (median)")
    print(f"{'command':<28}{'wall s':>9}{'cpu s':>9}{'peak MiB':>10}{'exit':>6}")
    for r in (lint, diff):
        print(f"{r.name:<28}{r.median:>9.2f}{r.cpu:>9.2f}{r.peak_kb / 1024:>10.1f}"
              f"{r.exit_code:>6}")
    ratio = diff.median / lint.median
    memory = diff.peak_kb / max(lint.peak_kb, 1)
    ok = ratio <= TARGET_RATIO and memory <= TARGET_RATIO and diff.exit_code == 0
    print(f"diff / lint: {ratio:.2f}x time, {memory:.2f}x peak memory "
          f"(target <= {TARGET_RATIO}x): {'met' if ok else 'NOT met'}")
    if diff.exit_code != 0:
        print(diff.output[-2000:])
    return 1 if args.check and not ok else 0


if __name__ == "__main__":
    raise SystemExit(main())
