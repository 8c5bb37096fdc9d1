"""`make demo`, the README's first command, as a newcomer meets it in a CI log or a pipe:
no escape codes and no build warnings. The demo's sandbox listens on the fixed port 12345,
so it runs in a private network namespace (`unshare --net`), never beside another one."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _netns_available() -> bool:
    if shutil.which("unshare") is None or shutil.which("ip") is None:
        return False
    probe = subprocess.run(["unshare", "--net", "true"], capture_output=True, check=False)
    return probe.returncode == 0


@pytest.mark.skipif(not _netns_available(), reason="needs `unshare --net` (a private network "
                    "namespace) to give the demo its fixed port 12345")
def test_the_demo_through_a_pipe_prints_no_escape_codes() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "CI_"))}
    env["PATH"] = f"{BIN}{os.pathsep}{env['PATH']}"
    done = subprocess.run(["unshare", "--net", "bash", "-c",
                           "ip link set lo up && exec bash scripts/demo.sh"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
                          check=False)
    out = done.stdout + done.stderr
    assert done.returncode == 0, out
    assert "\x1b" not in out
    assert "== dagship lint" in out


def test_the_install_step_prints_no_build_warnings(tmp_path: Path) -> None:
    """The Makefile's own install commands (`make -n`), run into a fresh virtualenv; the
    dependencies are left out (PIP_NO_DEPS), the build of dagship itself is what speaks."""
    venv = tmp_path / "venv"
    # under `make test` the sub-make would print "Entering directory" lines into the recipe
    dry = subprocess.run(["make", "-n", "-B", "--no-print-directory", f"VENV={venv}",
                          f"{venv}/bin/.installed"], cwd=ROOT, capture_output=True, text=True,
                         check=True)
    env = dict(os.environ, PIP_NO_DEPS="1", PIP_DISABLE_PIP_VERSION_CHECK="1")
    done = subprocess.run(["bash", "-euc", dry.stdout], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Warning" not in done.stdout + done.stderr, done.stderr
    assert (venv / "bin" / "dagship").exists()
