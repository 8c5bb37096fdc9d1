"""A data repository as `dagship init --ci ...` writes it, with a real history, for the CI
engine tests: `main` and `develop` at the set-up commit, `feature/x` one Conventional commit
ahead (a new workflow `second`, a changed task of `hello_dagship`), and both targets pointed
at one sandbox (staging: project dataops-staging, production: project dataops)."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from deployer.client import DSClient
from deployer.sandbox import Sandbox
from tests.helpers.gitrun import git

TOKEN = "engine-token-0123456789abcdef"  # the sandbox's; never in a log (masked)
_URLS = ("http://127.0.0.1:12345/dolphinscheduler", "https://ds.example.com/dolphinscheduler")


@dataclass
class DataRepo:
    root: Path
    sandbox: Sandbox
    base: str  # main and develop: the set-up commit
    head: str  # feature/x: one commit ahead

    def checkout(self, branch: str) -> None:
        git("checkout", "--quiet", "--force", branch, cwd=self.root)

    def merge_feature(self, into: str) -> None:
        """The merge request accepted: `into` fast-forwards to the feature's head."""
        for ref in (f"refs/heads/{into}", f"refs/remotes/origin/{into}"):
            git("update-ref", ref, self.head, cwd=self.root)

    def smoke_runs(self) -> list[tuple[str, str]]:
        """(workflow, final state) of every instance the sandbox ran, oldest first."""
        with self.sandbox.state.lock:
            rows = sorted(self.sandbox.state.runs.instances.values(), key=lambda i: i["id"])
            return [(str(i["name"]).split("-")[0], str(i["state"])) for i in rows]

    def deployed(self, project: str) -> dict[str, str]:
        """Workflow name -> the marker dagship left in its description, read through the API."""
        client = DSClient(self.sandbox.base_url, self.sandbox.token, timeout=10.0)
        found = client.find_project(project)
        if found is None:
            return {}
        return {dag["workflowDefinition"]["name"]: dag["workflowDefinition"]["description"]
                for dag in client.list_workflows(int(found["code"]))}


def make_data_repo(root: Path, sandbox: Sandbox, ci: str, remote: str) -> DataRepo:
    root.mkdir(parents=True)
    git("init", "--quiet", cwd=root)
    done = subprocess.run([sys.executable, "-m", "deployer", "init", "--ci", ci], cwd=root,
                          capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    config = root / "dagship.yaml"
    text = config.read_text(encoding="utf-8")
    for url in _URLS:
        assert url in text, url
        text = text.replace(url, sandbox.base_url)
    # staging's smoke run, which the templates' staging deploy runs (`second` is online)
    assert text.count("    branches: [develop]\n") == 1
    text = text.replace("    branches: [develop]\n", "    branches: [develop]\n"
                        "    smoke:\n      workflows: [second]\n      poll: 0.2\n")
    config.write_text(text, encoding="utf-8")
    git("remote", "add", "origin", remote, cwd=root)
    git("add", "-A", cwd=root)
    git("commit", "--quiet", "--no-verify", "-m", "chore: set up dagship", cwd=root)
    base = git("rev-parse", "HEAD", cwd=root).stdout.strip()
    for branch in ("main", "develop"):
        for ref in (f"refs/heads/{branch}", f"refs/remotes/origin/{branch}"):
            git("update-ref", ref, base, cwd=root)
    git("checkout", "--quiet", "-b", "feature/x", cwd=root)
    (root / "workflows" / "second.yaml").write_text(
        "workflow:\n  name: second\ntasks:\n  - name: t\n    task_type: Shell\n"
        "    command: echo two\n", encoding="utf-8")
    hello = root / "workflows" / "hello_dagship.yaml"
    hello.write_text(hello.read_text(encoding="utf-8").replace(
        'command: echo "done"', 'command: echo "all done"'), encoding="utf-8")
    git("add", "-A", cwd=root)
    git("commit", "--quiet", "--no-verify", "-m", "feat: add the second workflow", cwd=root)
    head = git("rev-parse", "HEAD", cwd=root).stdout.strip()
    git("update-ref", "refs/remotes/origin/feature/x", head, cwd=root)
    return DataRepo(root, sandbox, base, head)


def bad_commit(repo: DataRepo) -> str:
    """A commit on feature/x whose message is not Conventional; returns it."""
    git("commit", "--quiet", "--no-verify", "--allow-empty", "-m", "wip stuff", cwd=repo.root)
    return git("rev-parse", "HEAD", cwd=repo.root).stdout.strip()
