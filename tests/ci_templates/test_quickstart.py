"""The README's quickstart, typed as written in a fresh folder by a new user: dagship is
installed from its Git URL (a local bare repository of this checkout stands in for the host,
through `url.<bare>.insteadOf`), `dagship init` writes the hooks, `pre-commit install`, and
the first commit runs every hook, which pre-commit builds from that same repository.

The package index holds only dagship's dependencies and pre-commit's, so dagship can only come
from Git. The block runs in a private network namespace (only a loopback): the sandbox it
starts listens on the fixed port 12345, and nothing can reach beyond this machine.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest

from deployer import __version__
from tests.helpers.engines import ROOT, clean_env, missing, run
from tests.helpers.gitrun import git

pytestmark = pytest.mark.slow
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _quickstart() -> str:
    section = README.split("## Quickstart", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, flags=re.S)
    assert block, "the README's quickstart has a ```sh block"
    return block.group(1)


def _netns() -> list[str]:
    if not (shutil.which("unshare") and shutil.which("ip")):
        missing("unshare and ip (a private network namespace for port 12345)")
    prefix = ["unshare", "--net"] if os.geteuid() == 0 else ["unshare", "--map-root-user",
                                                             "--net"]
    if subprocess.run([*prefix, "true"], capture_output=True, check=False).returncode != 0:
        missing("a private network namespace (unshare --net)")
    return prefix


def test_the_quickstart_installs_from_git_and_the_hooks_work_on_the_first_commit(
        tmp_path, dagship_git, quickstart_wheelhouse):
    block = _quickstart()
    assert f'pip install "git+https://github.com/dagship/dagship@v{__version__}" pre-commit' \
        in block
    work, home = tmp_path / "work", tmp_path / "home"
    work.mkdir()
    home.mkdir()
    # the user's own git configuration, where the insteadOf of the stand-in host lives:
    # pre-commit runs git with only HOME's config (it drops GIT_CONFIG_GLOBAL)
    shutil.copy(os.environ["GIT_CONFIG_GLOBAL"], home / ".gitconfig")
    env = clean_env({"HOME": str(home), "PIP_INDEX_URL": quickstart_wheelhouse,
                     "PIP_DISABLE_PIP_VERSION_CHECK": "1",
                     "PRE_COMMIT_HOME": str(tmp_path / "pre-commit")})
    # as typed, one line after the other, each required to work; the sandbox stops at the end
    script = "set -eo pipefail\ntrap 'kill $(jobs -p) 2>/dev/null' EXIT\n" + block
    result = run([*_netns(), "sh", "-c", 'ip link set lo up && exec bash -c "$0"', script],
                 work, env, timeout=600).require()
    log = result.log
    (tmp_path / "quickstart.log").write_text(log, encoding="utf-8")  # for a post-mortem
    repo = work / "my-data"
    for hook in ("dagship fmt", "dagship lint", "dagship branch", "dagship commit-msg"):
        assert re.search(rf"^{hook} \(.*?\)\.+(Passed|\(no files to check\)Skipped)$",
                         log, flags=re.M), (hook, log)
    assert "Target staging: project dataops-staging" in log
    assert "hello_dagship" in log
    # the hooks were built from the repository at the commit dagship was installed from
    config = (repo / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    assert "repo: https://github.com/dagship/dagship\n" in config
    assert f"rev: {dagship_git.commit}  # frozen: {dagship_git.tag}\n" in config
    installed = list((tmp_path / "pre-commit").glob(
        "repo*/py_env-*/lib/python*/site-packages/dagship-*.dist-info"))
    assert installed, "pre-commit built the hooks' environment with dagship in it"

    # and they keep working: a bad message and a broken workflow are refused
    git("switch", "--quiet", "-c", "feature/orders", cwd=repo)
    hooks_env = {**env, "PATH": f"{home / '.dagship' / 'bin'}:{env['PATH']}"}
    bad = subprocess.run(["git", "commit", "--allow-empty", "-m", "wip"], cwd=repo,
                         env=hooks_env, capture_output=True, text=True, check=False,
                         timeout=120)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert re.search(r"CM1\d\d", bad.stdout + bad.stderr)
    (repo / "workflows" / "orders.yaml").write_text(
        "workflow:\n  name: orders\ntasks:\n  - name: load\n    task_type: Shel\n"
        "    command: echo load\n", encoding="utf-8")
    git("add", "-A", cwd=repo)
    broken = subprocess.run(["git", "commit", "-m", "feat: the orders workflow"], cwd=repo,
                            env=hooks_env, capture_output=True, text=True, check=False,
                            timeout=120)
    assert broken.returncode == 1, broken.stdout + broken.stderr
    said = broken.stdout + broken.stderr
    assert re.search(r"workflows/orders\.yaml:5:\d+: WF106", said), said
