#!/usr/bin/env python3
"""Does dagship stay linear at scale? Lint and plan at 500, 1000 and 2000 workflows.

For each size it generates a repository and measures fresh `dagship` processes (interpreter
start-up included), reporting wall time, CPU time (user + system), peak RSS (os.wait4's
ru_maxrss) and the cost per workflow:

1. `dagship lint` of N workflow files (lint_bench's generator: Shell, Sql with `$FILE`, Python
   tasks, a DAG, schedules, `$VAR`);
2. `dagship plan` of N workflows against an empty project (N creates);
3. `dagship deploy --parallel 8` of them (the first deploy);
4. `dagship plan` again, now that all N exist (N unchanged: the remote definitions are
   listed, canonicalised and digested).

The sandbox runs as a separate process (`dagship sandbox --port 0`), fresh per size, so its
memory is not counted as the tool's. Linear growth shows as flat marginal costs (CPU and peak
RSS added per workflow from one size to the next); `--check` exits 1 when a step's marginal
CPU or RSS per workflow between the two largest sizes exceeds 1.5x that between the two
smallest (super-linear).

    .venv/bin/python bench/scale_bench.py [--sizes 500,1000,2000] [--tasks 10] [--runs 2]
                                          [--check]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from deploy_bench import write_repo  # noqa: E402 - after the path set-up
from lint_bench import VENV_BIN, generate, run_once  # noqa: E402

DAGSHIP = str(VENV_BIN / "dagship")
SUPERLINEAR = 1.5


@dataclass
class Row:
    step: str
    size: int
    wall: float
    cpu: float
    peak_kb: int


def _best(command: list[str], cwd: Path, runs: int, env: dict[str, str] | None = None
          ) -> tuple[float, float, int]:
    """Best of `runs` fresh processes (after none: the file cache is warm from generation)."""
    best: tuple[float, float, int] | None = None
    for _ in range(runs):
        wall, cpu, peak, code, text = _run(command, cwd, env)
        if code != 0:
            raise SystemExit(f"{' '.join(command)} exited {code}:\n{text[-2000:]}")
        if best is None or cpu < best[1]:
            best = (wall, cpu, peak)
    assert best is not None
    return best


def _run(command: list[str], cwd: Path, env: dict[str, str] | None
         ) -> tuple[float, float, int, int, str]:
    if env is None:
        return run_once(command, cwd)
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        return run_once(command, cwd)
    finally:
        os.environ.clear()
        os.environ.update(saved)


def lint_rows(size: int, tasks: int, runs: int) -> list[Row]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        generate(folder, size, tasks, seed=7)
        wall, cpu, peak = _best([DAGSHIP, "lint", "--no-color"], folder, runs)
        return [Row("lint", size, wall, cpu, peak)]


def deploy_rows(size: int, tasks: int, runs: int) -> list[Row]:
    sandbox = subprocess.Popen([DAGSHIP, "sandbox", "--port", "0"], stdout=subprocess.PIPE,
                               text=True)
    try:
        assert sandbox.stdout is not None
        url = sandbox.stdout.readline().strip().removeprefix("DS_URL=")
        token = sandbox.stdout.readline().strip().removeprefix("DS_TOKEN=")
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            write_repo(root, url, size, tasks)
            env = {"DS_TOKEN": token}
            base = ["--target", "bench", "--no-color"]
            rows = [Row("plan (all new)", size, *_best([DAGSHIP, "plan", *base], root, runs,
                                                       env))]
            rows.append(Row("deploy --parallel 8", size, *_best(
                [DAGSHIP, "deploy", "--no-progress", "--parallel", "8", *base], root, 1, env)))
            rows.append(Row("plan (all unchanged)", size, *_best([DAGSHIP, "plan", *base],
                                                                 root, runs, env)))
            return rows
    finally:
        sandbox.terminate()
        sandbox.wait(timeout=30)


def report(rows: list[Row], check: bool) -> int:
    """Marginal costs (from the previous size to this one) take out the fixed start-up cost
    (interpreter, imports: ~0.2 s and ~30 MB), which would otherwise flatter the large sizes."""
    steps = list(dict.fromkeys(r.step for r in rows))
    print(f"{'step':<22}{'workflows':>10}{'wall s':>9}{'CPU s':>8}{'peak RSS MB':>13}"
          f"{'marginal CPU ms/wf':>20}{'marginal RSS KB/wf':>20}")
    failed = False
    for step in steps:
        mine = [r for r in rows if r.step == step]
        margins: list[tuple[float, float]] = []
        for prev, r in zip([None, *mine], mine, strict=False):
            cols = ""
            if prev is not None:
                n = r.size - prev.size
                cpu_m, rss_m = 1000 * (r.cpu - prev.cpu) / n, (r.peak_kb - prev.peak_kb) / n
                margins.append((cpu_m, rss_m))
                cols = f"{cpu_m:>20.2f}{rss_m:>20.1f}"
            print(f"{r.step:<22}{r.size:>10}{r.wall:>9.2f}{r.cpu:>8.2f}"
                  f"{r.peak_kb / 1024:>13.0f}{cols}")
        if len(margins) >= 2:
            (cpu0, rss0), (cpu1, rss1) = margins[0], margins[-1]
            if cpu1 > SUPERLINEAR * cpu0 or rss1 > SUPERLINEAR * max(rss0, 1.0):
                failed = True
                print(f"  ^ super-linear: marginal CPU {cpu0:.2f} -> {cpu1:.2f} ms/wf, "
                      f"marginal RSS {rss0:.1f} -> {rss1:.1f} KB/wf")
    return 1 if failed and check else 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="500,1000,2000")
    ap.add_argument("--tasks", type=int, default=10)
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    rows: list[Row] = []
    for size in sizes:
        rows += lint_rows(size, args.tasks, args.runs)
    for size in sizes:
        rows += deploy_rows(size, args.tasks, args.runs)
    rows.sort(key=lambda r: ({"lint": 0, "plan (all new)": 1, "deploy --parallel 8": 2,
                              "plan (all unchanged)": 3}[r.step], r.size))
    print(f"{args.tasks} tasks per workflow; best of {args.runs} fresh processes "
          "(deploy: one run)\n")
    return report(rows, args.check)


if __name__ == "__main__":
    sys.exit(main())
