"""`dagship init`: the scaffold is formatted, lints and plans clean at once, and is
idempotent."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from deployer import __version__
from deployer.cli.main import main
from deployer.sandbox import Sandbox
from tests.ci_templates.helpers import ROOT, build_package_index
from tests.helpers.gitrun import git

TOKEN = "init-token-0123456789abcdef"


def _dagship(*args: str, cwd: Path, env: dict[str, str] | None = None):
    return subprocess.run([sys.executable, "-m", "deployer", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, check=False, timeout=120)


@pytest.mark.parametrize("ci", ["github", "gitlab", "jenkins", None])
def test_init_then_fmt_lint_and_plan_are_clean(tmp_path, ci, monkeypatch):
    repo = tmp_path / "data"
    repo.mkdir()
    git("init", "--quiet", cwd=repo)
    done = _dagship("init", *(["--ci", ci] if ci else []), cwd=repo)
    assert done.returncode == 0, done.stderr
    assert "dagship.yaml: created" in done.stdout
    fmt = _dagship("fmt", "--check", cwd=repo)
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr
    assert "0 file(s) would be reformatted, 1 unchanged" in fmt.stderr  # the example was seen
    lint = _dagship("lint", "--format", "json", cwd=repo)
    assert (lint.returncode, lint.stdout.strip()) == (0, "[]"), lint.stderr
    # the one edit a user makes: point staging at a scheduler (here a sandbox)
    config = repo / "dagship.yaml"
    with Sandbox(token=TOKEN) as sb:
        config.write_text(config.read_text().replace(
            "http://127.0.0.1:12345/dolphinscheduler", sb.base_url), encoding="utf-8")
        env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "DS_STAGING_TOKEN": TOKEN}
        plan = _dagship("plan", "--target", "staging", "--no-progress", cwd=repo, env=env)
        assert plan.returncode == 0, plan.stdout + plan.stderr
        assert "create" in plan.stdout
        assert "hello_dagship" in plan.stdout
        assert "1 to create" in plan.stdout, plan.stdout
        assert sb.state.project("dataops-staging") is None  # a plan sends nothing


def test_init_is_idempotent_and_never_overwrites_without_force(tmp_path, monkeypatch,
                                                                 capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["init", "--ci", "gitlab"]) == 0
    first = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    assert {p.relative_to(tmp_path).as_posix() for p in first} == {
        "dagship.yaml", ".pre-commit-config.yaml", "workflows/hello_dagship.yaml",
        ".gitlab-ci.yml", ".gitlab/dagship.gitlab-ci.yml"}
    capsys.readouterr()
    assert main(["init", "--ci", "gitlab"]) == 0
    assert capsys.readouterr().out.count("already there, unchanged") == 5
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == first

    (tmp_path / "dagship.yaml").write_text("workflows: [flows/]\n", encoding="utf-8")
    assert main(["init"]) == 0
    out = capsys.readouterr().out
    assert "dagship.yaml: already there with other content: kept (--force overwrites it)" in out
    assert (tmp_path / "dagship.yaml").read_text() == "workflows: [flows/]\n"
    assert main(["init", "--force"]) == 0
    assert "dagship.yaml: overwritten (--force)" in capsys.readouterr().out
    assert (tmp_path / "dagship.yaml").read_bytes() == first[tmp_path / "dagship.yaml"]


def test_init_pins_the_hooks_to_the_installed_version(tmp_path):
    from deployer.commands.init import scaffold_files

    text = scaffold_files(None)[".pre-commit-config.yaml"]
    assert text.count(f'additional_dependencies: ["dagship=={__version__}"]') == 4
    (tmp_path / ".pre-commit-config.yaml").write_text(text, encoding="utf-8")
    done = subprocess.run([str(Path(sys.executable).parent / "pre-commit"), "validate-config",
                           ".pre-commit-config.yaml"], cwd=tmp_path, capture_output=True,
                          text=True, check=False, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    ids = [line.split(":")[1].strip() for line in text.splitlines() if "- id:" in line]
    assert ids == ["dagship-fmt", "dagship-lint", "dagship-commit-msg", "dagship-branch"]
    # each hook is the one of .pre-commit-hooks.yaml, with the same entry
    published = {h["id"]: h for h in yaml.safe_load(
        (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}
    local = yaml.safe_load(text)["repos"][0]["hooks"]
    for hook in local:
        assert hook["entry"] == published[hook["id"]]["entry"], hook["id"]


def test_init_github_writes_the_reusable_workflow_verbatim(tmp_path, monkeypatch):
    from deployer.commands.init import TEMPLATES

    monkeypatch.chdir(tmp_path)
    assert main(["init", "--ci", "github"]) == 0
    assert (tmp_path / ".github/workflows/dagship.yml").read_text() == \
        (TEMPLATES / "github" / "dagship.yml").read_text()
    assert "uses: ./.github/workflows/dagship.yml" in \
        (tmp_path / ".github/workflows/dagship-ci.yml").read_text()


@pytest.fixture(scope="module")
def package_index(tmp_path_factory: pytest.TempPathFactory) -> str:
    # pre-commit installs a `repo: local` hook environment as `pip install . <deps>` of a
    # placeholder package, which setuptools builds
    return build_package_index(tmp_path_factory.mktemp("index"), "setuptools")


UNFORMATTED = """\
tasks:
  - command: echo "load"
    task_type: Shell
    name: load
workflow:
  name: orders
"""


@pytest.mark.slow
def test_init_hooks_run_for_real_and_fmt_fixes_a_staged_workflow(tmp_path, package_index,
                                                                  monkeypatch):
    """The scaffold's .pre-commit-config.yaml as written, installed by the real pre-commit
    from a package index holding this dagship: the fmt hook rewrites a staged workflow and
    stops the commit; staged again, every hook passes."""
    monkeypatch.setenv("PRE_COMMIT_HOME", str(tmp_path / "pre-commit-home"))
    monkeypatch.setenv("PIP_INDEX_URL", package_index)
    repo = tmp_path / "data"
    repo.mkdir()
    git("init", "--quiet", cwd=repo)
    assert _dagship("init", cwd=repo).returncode == 0
    git("add", "-A", cwd=repo)
    git("commit", "--quiet", "--no-verify", "-m", "chore: set up dagship", cwd=repo)
    pre_commit = str(Path(sys.executable).parent / "pre-commit")
    installed = subprocess.run([pre_commit, "install", "--hook-type", "pre-commit",
                                "--hook-type", "commit-msg", "--hook-type", "pre-push"],
                               cwd=repo, capture_output=True, text=True, check=False,
                               timeout=120)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    git("switch", "--quiet", "-c", "feature/orders", cwd=repo)
    (repo / "workflows" / "orders.yaml").write_text(UNFORMATTED, encoding="utf-8")
    git("add", "-A", cwd=repo)

    first = git("commit", "-m", "feat: add the orders workflow", cwd=repo, check=False)
    out = first.stdout + first.stderr
    assert first.returncode == 1, out
    assert "files were modified by this hook" in out
    assert "reformatted workflows/orders.yaml" in out
    assert (repo / "workflows" / "orders.yaml").read_text(encoding="utf-8") == (
        "workflow:\n  name: orders\ntasks:\n  - name: load\n    task_type: Shell\n"
        '    command: echo "load"\n')

    git("add", "-A", cwd=repo)
    second = git("commit", "-m", "feat: add the orders workflow", cwd=repo, check=False)
    out = second.stdout + second.stderr
    assert second.returncode == 0, out
    for hook in ("dagship fmt", "dagship lint", "dagship branch", "dagship commit-msg"):
        assert re.search(rf"^{hook}\.+Passed$", out, flags=re.M), (hook, out)
