"""The git-server post-receive hook, with a real bare repository and a real `git push`."""

from __future__ import annotations

import os
import shutil
import socket
import sys
import time
from pathlib import Path

import pytest

from deployer.commands.init import init_repository
from deployer.sandbox import Sandbox
from tests.ci_templates.helpers import POST_RECEIVE
from tests.helpers.gitrun import git

pytestmark = pytest.mark.slow
TOKEN = "hook-token-0123456789abcdef"


def _needs(*tools: str) -> None:
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        pytest.fail(f"the post-receive hook needs {', '.join(missing)} (util-linux, coreutils)")


@pytest.fixture
def server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """A bare repository with the hook installed, a clone to push from, a token file."""
    _needs("flock", "setsid", "timeout")
    bare = tmp_path / "data.git"
    git("init", "--quiet", "--bare", str(bare))
    (bare / "hooks").mkdir(exist_ok=True)
    shutil.copy(POST_RECEIVE, bare / "hooks" / "post-receive")
    tokens = tmp_path / "tokens.env"
    tokens.write_text(f"DS_STAGING_TOKEN={TOKEN}\n", encoding="utf-8")
    tokens.chmod(0o600)
    git("config", "dagship.envFile", str(tokens), cwd=bare)
    # the server runs the dagship of this test run
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    (tmp_path / "tmp").mkdir()
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))  # where the hook exports commits
    clone = tmp_path / "clone"
    clone.mkdir()
    git("init", "--quiet", cwd=clone)
    init_repository(clone, ci=None, force=False)
    git("remote", "add", "origin", str(bare), cwd=clone)
    return {"bare": bare, "clone": clone, "logs": bare / "dagship-logs"}


def _point_staging_at(clone: Path, url: str) -> None:
    config = clone / "dagship.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("http://127.0.0.1:12345/dolphinscheduler", url), "utf-8")
    git("add", "-A", cwd=clone)
    git("commit", "--quiet", "--no-verify", "-m", "chore: point staging", cwd=clone)


def test_push_to_develop_deploys_the_pushed_commit(server):
    clone, logs = server["clone"], server["logs"]
    with Sandbox(token=TOKEN) as sb:
        _point_staging_at(clone, sb.base_url)
        git("push", "--quiet", "origin", "HEAD:refs/heads/feature/x", cwd=clone)
        assert not logs.exists() or not list(logs.glob("*.log"))  # a feature branch: nothing
        pushed = git("push", "origin", "HEAD:refs/heads/develop", cwd=clone)
        sha = git("rev-parse", "HEAD", cwd=clone).stdout.strip()
        assert f"dagship: deploying develop at {sha[:12]}" in pushed.stderr
        assert "dagship: deploy of develop exited 0" in pushed.stderr
        assert sb.state.workflow("dataops-staging", "hello_dagship") is not None
    index = (logs / "deploy.log").read_text(encoding="utf-8").split()
    assert index[1:5] == ["develop", sha, "exit", "0"]
    run_log = Path(index[5]).read_text(encoding="utf-8")
    assert "Target staging" in run_log
    assert TOKEN not in run_log + pushed.stderr
    assert list(Path(os.environ["TMPDIR"]).iterdir()) == []  # the export is removed


def test_an_unanswering_scheduler_never_holds_the_push_beyond_the_bound(server):
    """The scheduler accepts connections and never answers: the push returns after
    dagship.wait seconds, and the deploy is killed after dagship.timeout."""
    bare, clone, logs = server["bare"], server["clone"], server["logs"]
    git("config", "dagship.wait", "1", cwd=bare)
    git("config", "dagship.timeout", "3", cwd=bare)
    with socket.socket() as black_hole:
        black_hole.bind(("127.0.0.1", 0))
        black_hole.listen(8)
        _point_staging_at(clone, f"http://127.0.0.1:{black_hole.getsockname()[1]}/ds")
        started = time.monotonic()
        pushed = git("push", "origin", "HEAD:refs/heads/develop", cwd=clone)
        took = time.monotonic() - started
        assert "still running after 1s" in pushed.stderr
        assert took < 2.5 + 2, took  # the wait, plus git's own work on a loaded machine
        deadline = time.monotonic() + 30
        while not (logs / "deploy.log").exists() and time.monotonic() < deadline:
            time.sleep(0.2)
    line = (logs / "deploy.log").read_text(encoding="utf-8").split()
    assert line[3:5] == ["exit", "124"]
    assert "deploy killed after 3s" in Path(line[5]).read_text(encoding="utf-8")


def test_deploys_of_a_branch_are_serialised_and_a_superseded_one_is_skipped(server):
    """While a deploy of develop holds the lock, two more pushes queue; the older of them
    finds develop moved on and skips, the newest deploys."""
    bare, clone, logs = server["bare"], server["clone"], server["logs"]
    git("config", "dagship.wait", "0", cwd=bare)
    with Sandbox(token=TOKEN) as sb:
        _point_staging_at(clone, sb.base_url)
        logs.mkdir()
        lock = (logs / "develop.lock").open("a")
        import fcntl

        fcntl.flock(lock, fcntl.LOCK_EX)  # a deploy in progress
        git("push", "--quiet", "origin", "HEAD:refs/heads/develop", cwd=clone)
        first = git("rev-parse", "HEAD", cwd=clone).stdout.strip()
        git("commit", "--quiet", "--no-verify", "--allow-empty", "-m", "fix: again", cwd=clone)
        git("push", "--quiet", "origin", "HEAD:refs/heads/develop", cwd=clone)
        second = git("rev-parse", "HEAD", cwd=clone).stdout.strip()
        time.sleep(1)
        assert not (logs / "deploy.log").exists()  # both wait for the lock
        assert sb.state.project("dataops-staging") is None
        fcntl.flock(lock, fcntl.LOCK_UN)
        lock.close()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            lines = (logs / "deploy.log").read_text().splitlines() \
                if (logs / "deploy.log").exists() else []
            if len(lines) == 2:
                break
            time.sleep(0.2)
        assert len(lines) == 2, lines
        results = {line.split()[2]: line.split() for line in lines}
        assert results[first][4] == "0"
        assert "skipping" in Path(results[first][5]).read_text()
        assert results[second][4] == "0"
        assert "Target staging" in Path(results[second][5]).read_text()
        assert sb.state.workflow("dataops-staging", "hello_dagship") is not None
