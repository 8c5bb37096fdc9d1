"""No-op deploy of a repository with several projects: requests and whole-process time.

A redeploy that changes nothing reads each project once (the project list, the generation
probe, its workflows, its schedules), whatever the number of workflows in it: the request
count grows with the number of projects, not of workflows. Each row is a generated
repository of P projects (`projects:`) of W workflows of 5 Shell tasks, a Dependent task in
every project after the first waiting on a workflow of the first; it is deployed once to an
in-process sandbox (3.3), then deployed again: that second run is measured, as a fresh
`dagship deploy` process (interpreter start-up included), with the requests the sandbox
answered during it.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from deployer.sandbox import Sandbox  # noqa: E402 - after the path set-up

DAGSHIP = [sys.executable, "-m", "deployer"]


def write_repo(root: Path, url: str, projects: int, workflows: int) -> None:
    keys = [f"p{i:02d}" for i in range(projects)]
    lines = ["projects:"] + [f"  {k}: workflows/{k}/" for k in keys]
    lines += ["targets:", "  bench:", f"    url: {url}", "    token_env: DS_TOKEN",
              '    project: "bench-{project}"']
    (root / "dagship.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for k in keys:
        folder = root / "workflows" / k
        folder.mkdir(parents=True)
        for w in range(workflows):
            text = ["workflow:", f"  name: wf_{w:03d}", "tasks:"]
            for t in range(5):
                text += [f"  - name: t{t}", "    task_type: Shell",
                         f"    command: echo {k} {w} {t}"]
                if t:
                    text.append(f"    deps: [t{t - 1}]")
            if k != keys[0] and w == 0:
                text += ["  - name: wait_first", "    task_type: Dependent", "    op: and",
                         "    groups:", "      - op: and", "        groups:",
                         f"          - project_name: {keys[0]}",
                         "            workflow_name: wf_000", "            dependent_task_name: t4"]
            (folder / f"wf_{w:03d}.yaml").write_text("\n".join(text) + "\n", encoding="utf-8")


def deploy(root: Path, token: str) -> tuple[int, float, str]:
    started = time.perf_counter()
    done = subprocess.run([*DAGSHIP, "deploy", "--target", "bench", "--no-progress"], cwd=root,
                          env={**os.environ, "DS_TOKEN": token}, capture_output=True,
                          text=True, check=False)
    return done.returncode, time.perf_counter() - started, done.stdout + done.stderr


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--grid", default="1x10,1x100,3x10,3x100,10x10,10x50",
                    help="PxW pairs: projects x workflows per project")
    args = ap.parse_args(argv)
    print(f"{'projects':>8} {'workflows':>9} {'requests':>8} {'per project':>11} {'seconds':>8}")
    for pair in args.grid.split(","):
        p, w = (int(x) for x in pair.split("x"))
        with tempfile.TemporaryDirectory() as tmp, Sandbox(api_version="3.3") as sb:
            root = Path(tmp)
            write_repo(root, sb.base_url, p, w)
            code, _s, out = deploy(root, sb.token)
            if code != 0:
                raise SystemExit(f"first deploy failed:\n{out[-2000:]}")
            before = sb.request_count
            code, seconds, out = deploy(root, sb.token)
            if code != 0 or out.count("nothing to do") != p:
                raise SystemExit(f"the redeploy was not a no-op:\n{out[-2000:]}")
            n = sb.request_count - before
            print(f"{p:>8} {p * w:>9} {n:>8} {n / p:>11.1f} {seconds:>8.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
