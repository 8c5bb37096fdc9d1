#!/usr/bin/env python3
"""What does `dagship run --wait` cost, and how long does a smoke run take?

A data repository with one workflow of --tasks Shell tasks in a chain is deployed, then each
scenario runs as a fresh `dagship` process (interpreter start-up included), --runs times after
one warm-up, and the table shows the median wall time and the HTTP requests of one run:

- against the embedded sandbox (real HTTP on localhost; each task lasts 0.05 s per state):
  `run --wait` at --poll 0.1, 0.5 and 2 s: what the poll interval costs in requests and in
  time after the instance ended;
- with --real (a server on this machine: DAGSHIP_REAL_DS_URL/_TOKEN/_VERSION, as
  `scripts/real-ds/realds.py start` prints them; boot it inside the network namespace of your
  choice): `deploy --smoke` of the same repository (deploy, then the smoke run) and
  `run --wait`, each with --poll 1.

    .venv/bin/python bench/run_bench.py [--tasks 5] [--runs 3] [--real]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from deployer.sandbox import Sandbox  # noqa: E402 - after the path set-up

TOKEN = "bench-run-token-0123456789abcdef01"  # noqa: S105 - a local sandbox's
DAGSHIP = [sys.executable, "-m", "deployer"]
HTTP = re.compile(r"^dagship\.http: ", re.MULTILINE)


def write_repo(root: Path, url: str, version: str, tasks: int, poll: float) -> None:
    (root / "workflows").mkdir(parents=True)
    (root / "dagship.yaml").write_text(
        "workflows: [workflows/]\ntargets:\n  bench:\n"
        f"    url: {url}\n    token_env: BENCH_TOKEN\n    project: dagship-run-bench\n"
        f"    api_version: \"{version}\"\n"
        f"    smoke:\n      workflows: [chain]\n      timeout: 600\n      poll: {poll}\n",
        encoding="utf-8")
    lines = ["workflow:", "  name: chain", "tasks:"]
    for i in range(tasks):
        lines += [f"  - name: t{i}", "    task_type: Shell", f"    command: echo step {i}"]
        if i:
            lines.append(f"    deps: [t{i - 1}]")
    (root / "workflows" / "chain.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def dagship(root: Path, token: str, *args: str) -> tuple[float, int, str]:
    env = dict(os.environ, BENCH_TOKEN=token)
    for name in ("CI", "GITHUB_ACTIONS", "GITLAB_CI", "JENKINS_URL"):
        env.pop(name, None)
    t0 = time.perf_counter()
    done = subprocess.run([*DAGSHIP, *args, "--target", "bench", "--verbose", "--no-color"],
                          cwd=root, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - t0
    if done.returncode != 0:
        sys.exit(f"dagship {' '.join(args)} exited {done.returncode}:\n{done.stderr[-2000:]}")
    return seconds, len(HTTP.findall(done.stderr)), done.stderr


def measure(root: Path, token: str, runs: int, *args: str) -> tuple[float, int]:
    dagship(root, token, *args)  # warm-up
    got = [dagship(root, token, *args) for _ in range(runs)]
    return statistics.median(s for s, _, _ in got), int(statistics.median(r for _, r, _ in got))


@contextlib.contextmanager
def repository(url: str, version: str, tasks: int, poll: float) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="dagship-run-bench-") as tmp:
        root = Path(tmp)
        write_repo(root, url, version, tasks, poll)
        subprocess.run(["git", "init", "-q"], cwd=root, check=True)
        subprocess.run(["git", "add", "-A"], cwd=root, check=True)
        subprocess.run(["git", "-c", "user.name=bench", "-c", "user.email=b@example.com",
                        "commit", "-qm", "chore: bench", "--no-verify"], cwd=root, check=True)
        yield root


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tasks", type=int, default=5)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--real", action="store_true")
    args = ap.parse_args()
    rows: list[tuple[str, float, int]] = []
    with Sandbox(api_version="3.3", token=TOKEN) as sb, \
            repository(sb.base_url, "3.3", args.tasks, 0.1) as root:
        dagship(root, TOKEN, "deploy", "--no-progress")
        for poll in ("0.1", "0.5", "2"):
            seconds, requests = measure(root, TOKEN, args.runs, "run", "chain", "--wait",
                                        "--no-progress", "--poll", poll)
            rows.append((f"sandbox 3.3: run --wait --poll {poll}", seconds, requests))
    if args.real:
        url, token = os.environ["DAGSHIP_REAL_DS_URL"], os.environ["DAGSHIP_REAL_DS_TOKEN"]
        version = os.environ.get("DAGSHIP_REAL_DS_VERSION", "3.1")
        tenant = contextlib.nullcontext()
        if version == "3.1":
            from tests.helpers.run_tenant import admin_tenant

            tenant = admin_tenant(url, token)  # type: ignore[assignment]
        with tenant, repository(url, version, args.tasks, 1.0) as root:
            seconds, requests, _ = dagship(root, token, "deploy", "--no-progress", "--smoke")
            rows.append((f"real {version}: first deploy --smoke", seconds, requests))
            seconds, requests = measure(root, token, args.runs, "deploy", "--no-progress",
                                        "--smoke")
            rows.append((f"real {version}: no-op deploy --smoke", seconds, requests))
            seconds, requests = measure(root, token, args.runs, "run", "chain", "--wait",
                                        "--no-progress", "--poll", "1")
            rows.append((f"real {version}: run --wait --poll 1", seconds, requests))
            from deployer.client import DSClient
            from tests.deploy_contract.helpers import remove_project

            with DSClient(url, token, api_version=version) as c:
                remove_project(c, "dagship-run-bench")
    print(f"workflow: {args.tasks} Shell tasks in a chain; median of {args.runs} runs, "
          "whole process")
    print(f"{'scenario':42} {'seconds':>8} {'requests':>9}")
    for name, seconds, requests in rows:
        print(f"{name:42} {seconds:8.2f} {requests:9d}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
