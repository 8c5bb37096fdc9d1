"""`dagship sandbox` / `python -m deployer.sandbox`: serve the sandbox until SIGINT/SIGTERM."""

from __future__ import annotations

import signal
import sys
import threading
from dataclasses import dataclass
from types import FrameType

from deployer.core.errors import UsageError
from deployer.sandbox import Sandbox

__all__ = ["SandboxOptions", "parse_datasources", "serve_command"]


def parse_datasources(specs: tuple[str, ...] | list[str]) -> dict[str, str]:
    """`NAME:TYPE` strings -> {name: TYPE}; a malformed one is a usage error."""
    out: dict[str, str] = {}
    for spec in specs:
        name, sep, kind = spec.partition(":")
        if not sep or not name.strip() or not kind.strip():
            raise UsageError(f"--datasource {spec!r}: expected NAME:TYPE, e.g. pg:POSTGRESQL")
        kind = kind.strip()
        if not kind.replace("_", "").isalnum() or kind != kind.upper():
            raise UsageError(f"--datasource {spec!r}: TYPE must be a DbType name such as "
                             "MYSQL or POSTGRESQL (upper case)")
        out[name.strip()] = kind
    return out


@dataclass(frozen=True, kw_only=True)
class SandboxOptions:
    """No dagship.yaml is read: the sandbox is a server, configured here."""

    host: str = "127.0.0.1"
    port: int = 12345  # 0 picks a free one
    token: str | None = None  # accept this access token (default: a new one)
    api_version: str = "3.3"  # the DolphinScheduler API generation to speak
    state_path: str | None = None  # keep the state in this JSON file across restarts
    datasources: tuple[str, ...] = ()  # NAME:TYPE, seeded
    fault_rate: float = 0.0  # share of requests answered with 502/503/429 or a drop
    latency: float = 0.0  # seconds added to every answer
    seed: int | None = None  # of the fault mode's randomness
    execute: bool = False  # started instances really run their Shell and Python tasks
    task_timeout: float = 60.0  # seconds, per task, with `execute`


def serve_command(options: SandboxOptions) -> int:
    o = options
    seeded = parse_datasources(o.datasources)
    try:
        sandbox = Sandbox(api_version=o.api_version, token=o.token, datasources=seeded,
                          fault_rate=o.fault_rate, latency=o.latency, seed=o.seed,
                          state_path=o.state_path, port=o.port, host=o.host,
                          execute=o.execute, task_timeout=o.task_timeout)
    except OSError as exc:
        raise UsageError(f"cannot listen on {o.host}:{o.port}: {exc.strerror or exc}") from exc
    stopping = threading.Event()

    def _stop(signum: int, frame: FrameType | None) -> None:
        if not stopping.is_set():
            stopping.set()
            # shutdown() blocks until serve_forever returns: call it off the serving thread
            threading.Thread(target=sandbox._server.shutdown, daemon=True).start()

    previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    sys.stdout.write(f"DS_URL={sandbox.base_url}\nDS_TOKEN={sandbox.token}\n")
    sys.stdout.flush()
    try:
        sandbox.serve_forever()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        sandbox._server.server_close()
        sandbox.state.close()
    return 0
