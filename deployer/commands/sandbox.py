"""`dagship sandbox` / `python -m deployer.sandbox`: serve the sandbox until SIGINT/SIGTERM."""

from __future__ import annotations

import signal
import sys
import threading
from types import FrameType

from deployer.core.errors import UsageError

__all__ = ["parse_datasources", "serve_command"]


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


def serve_command(host: str, port: int, token: str | None, api_version: str,
                  state_path: str | None, datasources: tuple[str, ...], fault_rate: float,
                  latency: float, seed: int | None) -> int:
    from deployer.sandbox import Sandbox

    seeded = parse_datasources(datasources)
    try:
        sandbox = Sandbox(api_version=api_version, token=token, datasources=seeded,
                          fault_rate=fault_rate, latency=latency, seed=seed,
                          state_path=state_path, port=port, host=host)
    except OSError as exc:
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
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
