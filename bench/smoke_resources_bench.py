#!/usr/bin/env python3
"""What do a deploy with resources and a smoke run cost together, in time and requests?

A committed data repository whose resources/ holds one shell script and whose one workflow
has a Shell task that runs it from the resource center (resource_list, and the command runs
it where the worker puts it below the task's folder), with a `smoke:` block naming that
workflow. Each scenario is a fresh `dagship` process (interpreter start-up included), wall
time, median of --runs; requests are counted from the `--verbose` request log of one run:

1. first deploy (the script uploaded, the workflow created), each run into a new project;
2. no-op deploy (nothing to upload or write);
3. `deploy --smoke` with nothing to deploy: the smoke run of the workflow, waited for
   (--poll 1; on a real server this is dominated by the master's and worker's own pace).

Against the embedded sandbox (--execute, dialect --api-version) by default, or with --real
the server of DAGSHIP_REAL_DS_URL/_TOKEN/_VERSION (`scripts/real-ds/realds.py start`). On
3.1 the token's user is given a tenant for the bench (tests/helpers/run_tenant.py).

    .venv/bin/python bench/smoke_resources_bench.py [--runs 3] [--api-version 3.1] [--real]
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
import uuid
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from deployer.client import DSClient  # noqa: E402 - after the path set-up
from deployer.sandbox import Sandbox  # noqa: E402
from tests.deploy_contract.helpers import remove_project, remove_resource_tree  # noqa: E402
from tests.helpers.run_tenant import admin_tenant  # noqa: E402

TOKEN = "bench-smoke-token-0123456789abcdef"  # noqa: S105 - a local sandbox's
DAGSHIP = [sys.executable, "-m", "deployer"]
HTTP = re.compile(r"^dagship\.http: (GET|POST|PUT|DELETE) (\S+) -> ", re.MULTILINE)


def write_repo(root: Path, url: str, version: str, project: str) -> None:
    (root / "workflows").mkdir(parents=True)
    (root / "resources").mkdir()
    (root / "dagship.yaml").write_text(
        "workflows: [workflows/]\nresources: [resources/]\ntargets:\n  bench:\n"
        f"    url: {url}\n    token_env: BENCH_TOKEN\n    project: {project}\n"
        f"    api_version: \"{version}\"\n    timeout: 30\n"
        "    smoke:\n      workflows: [greet]\n      timeout: 600\n      poll: 1\n",
        encoding="utf-8")
    (root / "resources" / "hello.sh").write_text('echo "hello from $(basename "$0")"\n',
                                                 encoding="utf-8")
    (root / "workflows" / "greet.yaml").write_text(
        "workflow:\n  name: greet\ntasks:\n  - name: hello\n    task_type: Shell\n"
        '    command: bash $RESOURCE{"resources/hello.sh"}\n'
        "    resource_list: [resources/hello.sh]\n", encoding="utf-8")
    for cmd in (["init", "-q"], ["add", "-A"],
                ["-c", "user.name=bench", "-c", "user.email=b@example.com", "commit", "-qm",
                 "chore: bench", "--no-verify"]):
        subprocess.run(["git", *cmd], cwd=root, check=True)


def dagship(root: Path, token: str, *args: str) -> tuple[float, list[tuple[str, str]]]:
    env = dict(os.environ, BENCH_TOKEN=token)
    for name in ("CI", "GITHUB_ACTIONS", "GITLAB_CI", "JENKINS_URL"):
        env.pop(name, None)
    t0 = time.perf_counter()
    done = subprocess.run([*DAGSHIP, *args, "--target", "bench", "--verbose", "--no-color",
                           "--no-progress"],
                          cwd=root, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - t0
    if done.returncode != 0:
        sys.exit(f"dagship {' '.join(args)} exited {done.returncode}:\n{done.stderr[-2000:]}")
    return seconds, HTTP.findall(done.stderr)


def counts(reqs: list[tuple[str, str]]) -> str:
    uploads = sum(1 for m, p in reqs if m in ("POST", "PUT") and p.startswith("/resources"))
    writes = sum(1 for m, p in reqs if m != "GET" and not p.endswith("/schedules/list"))
    return f"{len(reqs)} ({writes} writes, {uploads} resource writes)"


@contextlib.contextmanager
def repository(url: str, token: str, version: str) -> Iterator[Path]:
    project = f"dagship-bench-{uuid.uuid4().hex[:8]}"
    with tempfile.TemporaryDirectory(prefix="dagship-smoke-bench-") as tmp:
        root = Path(tmp)
        write_repo(root, url, version, project)
        try:
            yield root
        finally:
            with DSClient(url, token, api_version=version, timeout=30.0) as c:
                remove_project(c, project)
                remove_resource_tree(c, version, f"/dagship/{project}")


def bench(url: str, token: str, version: str, runs: int, label: str) -> None:
    rows: list[tuple[str, float, str]] = []
    firsts: list[tuple[float, list[tuple[str, str]]]] = []
    for _ in range(runs):
        with repository(url, token, version) as root:
            firsts.append(dagship(root, token, "deploy"))
    rows.append(("first deploy (1 upload)", statistics.median(s for s, _ in firsts),
                 counts(firsts[0][1])))
    with repository(url, token, version) as root:
        dagship(root, token, "deploy")
        noop = [dagship(root, token, "deploy") for _ in range(runs)]
        rows.append(("no-op deploy", statistics.median(s for s, _ in noop), counts(noop[0][1])))
        smoke = [dagship(root, token, "deploy", "--smoke") for _ in range(runs)]
        rows.append(("deploy --smoke (no-op deploy + smoke run)",
                     statistics.median(s for s, _ in smoke), counts(smoke[0][1])))
    print(f"{label}: median of {runs} runs, whole process")
    print(f"{'scenario':44} {'seconds':>8}  requests")
    for name, seconds, reqs in rows:
        print(f"{name:44} {seconds:8.2f}  {reqs}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--api-version", default="3.1")
    ap.add_argument("--real", action="store_true")
    args = ap.parse_args()
    with contextlib.ExitStack() as stack:
        if args.real:
            url, token = os.environ["DAGSHIP_REAL_DS_URL"], os.environ["DAGSHIP_REAL_DS_TOKEN"]
            version = os.environ.get("DAGSHIP_REAL_DS_VERSION", "3.1")
            label = f"real {version}"
        else:
            version = args.api_version
            sb = stack.enter_context(Sandbox(api_version=version, token=TOKEN, execute=True))
            url, token, label = sb.base_url, TOKEN, f"sandbox {version} --execute"
        if version == "3.1":
            stack.enter_context(admin_tenant(url, token))
        bench(url, token, version, args.runs, label)
    return 0


if __name__ == "__main__":
    sys.exit(main())
