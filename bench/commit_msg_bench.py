"""Start-up cost of `dagship commit-msg` against the commit-message linters people use.

    .venv/bin/python bench/commit_msg_bench.py [-n 20]

Installs commitizen, gitlint and conventional-pre-commit into `.bench/venv` on first use
(pip from PyPI), and (re)installs this working tree there as a regular, non-editable
package, the way pre-commit builds a hook environment. Then runs every linter N times on
the same valid message, after a warm-up, inside a throwaway git repository, and prints
median and minimum wall time per invocation and the ratio to a bare interpreter start
(`python -c pass` in that venv). The development venv's console script is measured too:
its editable install adds a path finder to every interpreter start of that venv, so it is
shown next to that venv's own `python -c pass`. Last, each linter gets a Latin-1 message
and the table says which of them crash (a traceback, or an exit code >= 2).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH_VENV = ROOT / ".bench" / "venv"
PEERS = ("commitizen", "gitlint", "conventional-pre-commit")
VALID = "feat(ingest): add the orders workflow\n\nLoads orders every night.\n"
LATIN1 = b"feat(ingest): prise en charge des donn\xe9es\n"


def ensure_peers() -> Path:
    bin_dir = BENCH_VENV / "bin"
    if not (bin_dir / "cz").exists() or not (bin_dir / "gitlint").exists():
        print(f"installing {', '.join(PEERS)} into {BENCH_VENV} ...", flush=True)
        venv.create(BENCH_VENV, with_pip=True)
        subprocess.run([str(bin_dir / "python"), "-m", "pip", "install", "-q", *PEERS,
                        str(ROOT)], check=True)
    else:
        subprocess.run([str(bin_dir / "python"), "-m", "pip", "install", "-q", "--no-deps",
                        "--force-reinstall", str(ROOT)], check=True)
    return bin_dir


def commands(bin_dir: Path, msg: str) -> dict[str, list[str]]:
    dev_bin = ROOT / ".venv" / "bin"
    return {
        "dagship commit-msg": [str(bin_dir / "dagship"), "commit-msg", msg],
        "dagship (.venv editable)": [str(dev_bin / "dagship"), "commit-msg", msg],
        "python -c pass (.venv)": [str(dev_bin / "python"), "-c", "pass"],
        "cz check": [str(bin_dir / "cz"), "check", "--commit-msg-file", msg],
        "gitlint": [str(bin_dir / "gitlint"), "--msg-filename", msg],
        "conventional-pre-commit": [str(bin_dir / "conventional-pre-commit"), msg],
        "python -c pass": [str(bin_dir / "python"), "-c", "pass"],
    }


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_once(cmd: list[str], cwd: Path) -> tuple[float, float,
                                                   subprocess.CompletedProcess[bytes]]:
    """Wall ms and CPU ms (user + sys of the child: steadier on a busy machine)."""
    cpu, start = _cpu(), time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, check=False)
    return (time.perf_counter() - start) * 1000, (_cpu() - cpu) * 1000, proc


def bench(cmds: dict[str, list[str]], cwd: Path, n: int) -> dict[str, list[tuple[float, float]]]:
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in cmds}
    for name, cmd in cmds.items():
        for _ in range(3):  # warm-up: page cache, .pyc files
            _, _, proc = time_once(cmd, cwd)
        if proc.returncode != 0 and not name.startswith("python"):
            sys.exit(f"{name} rejected the valid message (exit {proc.returncode}):\n"
                     f"{proc.stdout.decode(errors='replace')}{proc.stderr.decode(errors='replace')}")
    for _ in range(n):  # interleaved, so a noisy moment hurts every tool alike
        for name, cmd in cmds.items():
            wall, cpu, _ = time_once(cmd, cwd)
            times[name].append((wall, cpu))
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=20, help="timed runs per tool")
    args = parser.parse_args()
    bin_dir = ensure_peers()
    with tempfile.TemporaryDirectory() as tmp:
        cwd = Path(tmp)
        env = dict(os.environ, GIT_CONFIG_NOSYSTEM="1")
        subprocess.run(["git", "init", "-q", str(cwd)], check=True, env=env)
        (cwd / "MSG").write_text(VALID, encoding="utf-8")
        (cwd / "LATIN1").write_bytes(LATIN1)
        cmds = commands(bin_dir, "MSG")
        times = bench(cmds, cwd, args.n)
        wall = {name: [w for w, _ in v] for name, v in times.items()}
        cpu = {name: [c for _, c in v] for name, v in times.items()}
        base_wall = statistics.median(wall["python -c pass"])
        base_cpu = statistics.median(cpu["python -c pass"])
        print(f"\n{args.n} runs each, valid message {VALID.splitlines()[0]!r}\n")
        print(f"{'tool':<26}{'wall median':>12}{'min':>7}{'x python':>9}"
              f"{'cpu median':>12}{'x python':>9}")
        print("-" * 75)
        for name in sorted(times, key=lambda k: statistics.median(cpu[k])):
            w, c = statistics.median(wall[name]), statistics.median(cpu[name])
            print(f"{name:<26}{w:>12.1f}{min(wall[name]):>7.1f}{w / base_wall:>9.2f}"
                  f"{c:>12.1f}{c / base_cpu:>9.2f}")
        print("\nLatin-1 message (b'...donn\\xe9es'):")
        for name, cmd in commands(bin_dir, "LATIN1").items():
            if name.startswith("python") or "editable" in name:
                continue
            _, _, proc = time_once(cmd, cwd)
            err = proc.stderr.decode("utf-8", "replace")
            said = err.strip() or proc.stdout.decode("utf-8", "replace").strip()
            crashed = "Traceback" in err or proc.returncode >= 2
            last = (said.splitlines() or [""])[-1][:90]
            verdict = "CRASH" if crashed else "ok"
            print(f"  {name:<26}exit {proc.returncode:<4}{verdict:<7}{last}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
