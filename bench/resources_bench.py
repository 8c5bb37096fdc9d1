#!/usr/bin/env python3
"""What does a deploy with resources cost, in requests and in time?

A generated data repository with --resources files under resources/ (default 100: shell
scripts, SQL files and a few binary jars, one of 1 MiB) and one workflow using three of them
is deployed with the real CLI (`dagship deploy --verbose`, a fresh process per run, wall
time), three times:

1. the first deploy (every file uploaded);
2. a no-op redeploy (target: no upload, no write at all);
3. a redeploy with one file changed (target: one upload).

Requests are counted from the `--verbose` request log, split into reads, uploads and other
writes. Against the embedded sandbox by default (the API generation of --api-version), or a
running server with --url (its token in $DS_TOKEN; on 3.1 the token's user needs a tenant).

    .venv/bin/python bench/resources_bench.py [--resources 100] [--api-version 3.3]
    DS_TOKEN=... .venv/bin/python bench/resources_bench.py --api-version 3.1 \
        --url http://127.0.0.1:12345/dolphinscheduler
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from deployer.sandbox import Sandbox  # noqa: E402 - after the path set-up
from deployer.sandbox.store import ADMIN  # noqa: E402

HTTP = re.compile(r"^dagship\.http: (GET|POST|PUT|DELETE) (\S+) -> ", re.MULTILINE)


def write_repo(root: Path, url: str, version: str, project: str, n: int) -> None:
    res = root / "resources"
    for sub in ("sh", "sql", "lib"):
        (res / sub).mkdir(parents=True, exist_ok=True)
    (root / "workflows").mkdir(exist_ok=True)
    for i in range(n):
        if i % 10 == 9:
            size = 1024 * 1024 if i == 9 else 64 * 1024
            (res / "lib" / f"lib_{i:03d}.jar").write_bytes(bytes((i * 7 + k) % 256
                                                                 for k in range(size)))
        elif i % 2:
            (res / "sql" / f"q_{i:03d}.sql").write_text(
                "select n, count(*) from t group by 1;\n" * 20 + f"-- {i}\n",
                encoding="utf-8")
        else:
            (res / "sh" / f"s_{i:03d}.sh").write_text(
                f"#!/bin/sh\necho step {i}\n" + "# padding\n" * 30, encoding="utf-8")
    (root / "dagship.yaml").write_text(
        "resources: [resources/]\n"
        f"targets:\n  bench:\n    url: {url}\n    token_env: DS_TOKEN\n"
        f"    project: {project}\n    branches: ['*']\n    api_version: \"{version}\"\n"
        "    timeout: 60\n    deadline: 120\n", encoding="utf-8")
    (root / "workflows" / "uses.yaml").write_text(
        "workflow:\n  name: uses\n  release_state: offline\ntasks:\n  - name: run\n"
        "    task_type: Shell\n    command: sh s_000.sh;\n"
        "    resource_list: [resources/sh/s_000.sh, resources/sql/q_001.sql, "
        "resources/lib/lib_009.jar]\n", encoding="utf-8")


def deploy(root: Path, token: str) -> tuple[float, list[tuple[str, str]], str]:
    exe = ROOT / ".venv" / "bin" / "dagship"
    env = dict(os.environ, DS_TOKEN=token)
    for key in ("CI", "GITHUB_ACTIONS", "GITLAB_CI", "JENKINS_URL"):
        env.pop(key, None)
    started = time.perf_counter()
    done = subprocess.run([str(exe), "deploy", "--target", "bench", "--verbose",
                           "--no-progress", "--no-color"], cwd=root, env=env,
                          capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"deploy failed ({done.returncode}):\n{done.stdout}\n{done.stderr[-3000:]}")
    return seconds, HTTP.findall(done.stderr), done.stdout


def row(name: str, seconds: float, sent: list[tuple[str, str]]) -> str:
    uploads = sum(1 for m, p in sent if m in ("POST", "PUT") and p == "/resources")
    uploads += sum(1 for m, p in sent if m == "PUT" and re.fullmatch(r"/resources/\d+", p))
    writes = sum(1 for m, p in sent if m != "GET" and not p.endswith("/list")) - uploads
    return (f"{name:<28} {seconds:>8.2f} {len(sent):>9} {uploads:>8} {writes:>13}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--resources", type=int, default=100)
    ap.add_argument("--api-version", default="3.3", choices=["3.1", "3.2", "3.3"])
    ap.add_argument("--url", default=None, help="a running server instead of the sandbox")
    args = ap.parse_args()
    project = f"bench-res-{uuid.uuid4().hex[:8]}"
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        if args.url:
            token = os.environ.get("DS_TOKEN") or sys.exit("--url needs the token in DS_TOKEN")
            where = args.url
            sb = None
        else:
            ADMIN["tenantId"] = 1  # 3.1 keeps files in the user's tenant folder
            sb = Sandbox(api_version=args.api_version)
            sb.__enter__()
            token, where = sb.token, f"sandbox {args.api_version}"
        try:
            write_repo(root, args.url or (sb.base_url if sb else ""), args.api_version,
                       project, args.resources)
            size = sum(f.stat().st_size for f in (root / "resources").rglob("*") if f.is_file())
            print(f"{args.resources} resources ({size / 1024 / 1024:.1f} MiB) and 1 workflow "
                  f"against {where}, API {args.api_version}; a fresh `dagship deploy` each")
            print(f"{'scenario':<28} {'seconds':>8} {'requests':>9} {'uploads':>8} "
                  f"{'other writes':>13}")
            first = deploy(root, token)
            print(row("first deploy", first[0], first[1]))
            noop = deploy(root, token)
            print(row("no-op redeploy", noop[0], noop[1]))
            (root / "resources" / "sh" / "s_000.sh").write_text("echo changed\n",
                                                               encoding="utf-8")
            one = deploy(root, token)
            print(row("one file changed", one[0], one[1]))
            ok = row("", 0, noop[1]).split()[-2:] == ["0", "0"] and "nothing to do" in noop[2]
            print("no-op target (no upload, no write):", "met" if ok else "MISSED")
            return 0 if ok else 1
        finally:
            if sb is not None:
                sb.__exit__(None, None, None)


if __name__ == "__main__":
    raise SystemExit(main())
