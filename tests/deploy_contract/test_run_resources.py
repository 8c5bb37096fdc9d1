"""A Shell task that runs a script from the resource center, on every backend: the repository
(a committed Git repository, nothing else) names `resources/`, the task's resource_list names
`resources/hello.sh` and its command runs it where the worker puts it. `dagship deploy`, then
`dagship run --wait` ends SUCCESS with what the script printed in the task's log (log API);
a second deploy uploads nothing.

The command names the file with `$RESOURCE{"resources/hello.sh"}`, which dagship turns into
the path the worker uses (`dagship/<project>/resources/hello.sh`, below the task's folder):
the real server running it is what proves that path.

3.1 keeps the files in the folder of the user's tenant and starts a workflow only for a
creator with a tenant: the admin gets one mapped to this OS user (tests/helpers/run_tenant.py)
for the test, and the project, then dagship's resource folder, are removed before it is
taken away again (3.1 refuses to delete a file an online workflow uses).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest

from deployer.client.executor import Executor
from tests.deploy_contract.helpers import Backend, Repo, remove_project, remove_resource_tree
from tests.helpers.gitrun import commit_all, git
from tests.helpers.run_tenant import admin_tenant

POLL = ("--poll", "0.2", "--no-progress")
LONG = "240"  # seconds a real master/worker may take for a small workflow
# what the script prints differs from its text: the log holds the script's output
SCRIPT = 'echo "dagship-res-$((6*7)) from $(basename "$0")"\n'
MARKER = "dagship-res-42 from hello.sh"


@pytest.fixture
def owned(backend: Backend, project: str) -> Iterator[None]:
    """A tenant where 3.1 needs one; afterwards the project and dagship's folder removed."""
    def cleanup() -> None:
        with backend.client() as c:
            remove_project(c, project)
            if c.find_project(project) is None:
                remove_resource_tree(c, backend.api_version, f"/dagship/{project}")

    if backend.api_version != "3.1":
        yield
        cleanup()
        return
    with admin_tenant(backend.url, backend.token):
        try:
            yield
        finally:
            cleanup()


def _uploads(res: object) -> list[tuple[str, str]]:
    writes: list[tuple[str, str]] = getattr(res, "writes")  # noqa: B009 - Run, typed loosely
    return [w for w in writes if w[1].startswith("/resources")]


def _log_with(ex: Executor, task_id: int, text: str) -> str:
    """The task's log once it holds `text`: a real 3.1.1 worker writes a script's output
    from a thread of its own, which may still be at it when the task is already SUCCESS."""
    deadline = time.monotonic() + 20
    while True:
        log = "\n".join(ex.log_tail(task_id, 200))
        if text in log or time.monotonic() > deadline:
            return log
        time.sleep(0.5)


def test_a_task_runs_a_script_deployed_from_git(repo: Repo, backend: Backend, project: str,
                                                owned: None) -> None:
    config = repo.root / "dagship.yaml"
    config.write_text("resources: [resources/]\n" + config.read_text(encoding="utf-8"),
                      encoding="utf-8")
    (repo.root / "resources").mkdir()
    (repo.root / "resources" / "hello.sh").write_text(SCRIPT, encoding="utf-8")
    # the worker puts the file at its path inside the resource center, below the task's
    # folder; $RESOURCE{} is that path (dagship/<project>/resources/hello.sh here)
    repo.write("greet", "workflow:\n  name: greet\ntasks:\n  - name: hello\n"
               "    task_type: Shell\n"
               '    command: bash $RESOURCE{"resources/hello.sh"}\n'
               "    resource_list: [resources/hello.sh]\n")
    git("init", "-q", "-b", "main", cwd=repo.root)
    commit_all(repo.root, "feat: a script from the resource center")

    first = repo.deploy()
    assert [m for m, _p in _uploads(first) if m == "POST"], first.err  # folders and the file
    res = repo.run("run", "greet", "--wait", "--timeout", LONG, *POLL)
    assert res.code == 0, res.err
    assert "task hello: SUCCESS" in res.err

    found = re.search(r"instance (\d+)", res.err)
    assert found, res.err
    with backend.client() as c:
        pc = int(c.find_project(project)["code"])  # type: ignore[index]
        ex = c.executor()
        tasks = ex.tasks(pc, int(found.group(1)))
        assert [t["name"] for t in tasks] == ["hello"]
        log = _log_with(ex, int(tasks[0]["id"]), MARKER)
    assert MARKER in log, log

    again = repo.deploy()
    assert _uploads(again) == [], again.err
    assert "Resources: 0 to upload, 0 to update, 0 to delete, 1 unchanged" in again.out
