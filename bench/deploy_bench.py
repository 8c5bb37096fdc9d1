#!/usr/bin/env python3
"""How many HTTP requests and how much time does a deploy cost?

Against the embedded sandbox (real HTTP on localhost), through the engine's own entry points
(load_repository -> build_plan -> apply_plan), it measures:

1. a first deploy of --workflows workflows (default 200) of --tasks tasks (default 20);
2. a no-op redeploy of the same (target: <= 10 requests in total);
3. a redeploy with 10 workflows changed;
4. with --latency seconds (default 0.05) added to every answer, a first deploy of
   --latency-workflows workflows (default 50) with --parallel 1 and with --parallel 8
   (target: parallel 8 at least 5x faster).

Requests are counted by the server. Prints a table; exits 1 when a target is missed.

    .venv/bin/python bench/deploy_bench.py [--workflows 200] [--tasks 20] [--latency 0.05]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from deployer.client import DSClient, RetryPolicy  # noqa: E402
from deployer.core.config import load_config  # noqa: E402
from deployer.definitions.repo import load_repository  # noqa: E402
from deployer.engine.apply import apply_plan  # noqa: E402 - after the path set-up
from deployer.engine.plan import build_plan  # noqa: E402
from deployer.sandbox import Sandbox  # noqa: E402

PROJECT = "bench"


@dataclass
class Row:
    scenario: str
    workflows: int
    requests: int
    seconds: float
    note: str = ""


def write_repo(root: Path, url: str, n: int, tasks: int, changed: int = 0) -> None:
    (root / "workflows").mkdir(parents=True, exist_ok=True)
    (root / "dagship.yaml").write_text(
        f"targets:\n  bench:\n    url: {url}\n    token_env: DS_TOKEN\n"
        f"    project: {PROJECT}\n    branches: [main]\n", encoding="utf-8")
    for i in range(n):
        lines = ["workflow:", f"  name: wf_{i:03d}", f"  description: bench workflow {i}",
                 f'  schedule: "0 {i % 60} 2 * * ? *"', "  timezone: UTC",
                 '  start_time: "2024-01-01"', "tasks:"]
        for t in range(tasks):
            script = f"echo step {t} of {i}" + (" v2" if i < changed and t == 0 else "")
            lines += [f"  - name: t{t:02d}", "    task_type: Shell", f"    command: {script}"]
            if t:
                ups = sorted({t - 1, t // 2}) if t > 1 else [0]
                lines.append(f"    deps: [{', '.join(f't{u:02d}' for u in ups)}]")
        (root / "workflows" / f"wf_{i:03d}.yaml").write_text("\n".join(lines) + "\n",
                                                              encoding="utf-8")


def deploy(sb: Sandbox, root: Path, parallel: int) -> tuple[int, float, dict[str, int]]:
    def client() -> DSClient:
        return DSClient(sb.base_url, sb.token, policy=RetryPolicy(initial_wait=0.01))

    start_requests = sb.request_count
    started = time.perf_counter()
    config = load_config(root / "dagship.yaml")
    loaded = load_repository(config, target=config.target("bench"), env={})
    if not loaded.workflows or any(f.severity == "error" for f in loaded.findings):
        raise SystemExit(f"bench repository does not validate: {loaded.findings[:3]}")
    c = client()
    plan = build_plan(c, target="bench", project=PROJECT, api_version=None,
                      specs=loaded.workflows, commit="nogit", prune=False)
    c.close()
    if plan.has_changes():
        result = apply_plan(plan, client, parallel=parallel)
        if result.failed:
            raise SystemExit("bench deploy failed: " + str(result.by_status("failed")[:3]))
    return sb.request_count - start_requests, time.perf_counter() - started, plan.counts()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workflows", type=int, default=200)
    ap.add_argument("--tasks", type=int, default=20)
    ap.add_argument("--latency", type=float, default=0.05)
    ap.add_argument("--latency-workflows", type=int, default=50)
    ap.add_argument("--parallel", type=int, default=8)
    args = ap.parse_args(argv)
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp, Sandbox(api_version="3.3") as sb:
        root = Path(tmp) / "repo"
        n = args.workflows
        write_repo(root, sb.base_url, n, args.tasks)
        req, sec, counts = deploy(sb, root, args.parallel)
        rows.append(Row("first deploy", n, req, sec, f"{counts['create']} created"))
        req, sec, counts = deploy(sb, root, args.parallel)
        rows.append(Row("no-op redeploy", n, req, sec, f"{counts['unchanged']} unchanged"))
        noop_requests = req
        write_repo(root, sb.base_url, n, args.tasks, changed=10)
        req, sec, counts = deploy(sb, root, args.parallel)
        rows.append(Row("redeploy, 10 changed", n, req, sec, f"{counts['update']} updated"))
    timings = {}
    for parallel in (1, args.parallel):
        with tempfile.TemporaryDirectory() as tmp, Sandbox(api_version="3.3",
                                                           latency=args.latency) as sb:
            root = Path(tmp) / "repo"
            write_repo(root, sb.base_url, args.latency_workflows, args.tasks)
            req, sec, _ = deploy(sb, root, parallel)
            timings[parallel] = sec
            rows.append(Row(f"first deploy, {args.latency * 1000:.0f} ms latency, "
                            f"--parallel {parallel}", args.latency_workflows, req, sec))
    speedup = timings[1] / timings[args.parallel]
    rows[-1].note = f"{speedup:.1f}x faster than --parallel 1"
    print(f"{'scenario':<44} {'workflows':>9} {'requests':>9} {'seconds':>8}  note")
    for r in rows:
        print(f"{r.scenario:<44} {r.workflows:>9} {r.requests:>9} {r.seconds:>8.2f}  {r.note}")
    ok = noop_requests <= 10 and speedup >= 5
    print(f"\ntargets: no-op redeploy <= 10 requests: {noop_requests} "
          f"({'ok' if noop_requests <= 10 else 'MISSED'}); parallel {args.parallel} >= 5x: "
          f"{speedup:.1f}x ({'ok' if speedup >= 5 else 'MISSED'})")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
