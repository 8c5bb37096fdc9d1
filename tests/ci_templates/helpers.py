"""Reading the CI templates as their CI would: YAML documents, GitLab `spec: inputs`
interpolation, the shell lines of Jenkins `sh '...'` steps, validator executables.

The helpers never restate a template's commands: tests take them from the files.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "ci-templates"
GITHUB_ACTION = TEMPLATES / "github" / "action.yml"
GITHUB_WORKFLOW = TEMPLATES / "github" / "dagship.yml"
GITLAB_COMPONENT = TEMPLATES / "gitlab" / "templates" / "dagship.yml"
GITLAB_PLAIN = TEMPLATES / "gitlab" / "dagship.gitlab-ci.yml"
JENKINS_STEP = TEMPLATES / "jenkins" / "vars" / "dagshipDeploy.groovy"
JENKINSFILE = TEMPLATES / "jenkins" / "Jenkinsfile"
POST_RECEIVE = TEMPLATES / "git-server" / "post-receive"

_INPUT = re.compile(r"\$\[\[\s*inputs\.([A-Za-z0-9_-]+)\s*\]\]")


class _Loader(yaml.SafeLoader):
    """YAML 1.2 booleans: YAML 1.1 reads a bare `on:` key as True; GitHub reads "on"."""


_BOOL = "tag:yaml.org,2002:bool"
_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != _BOOL]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(_BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                              list("tTfF"))


def load_yaml(text: str) -> Any:
    return yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass


def split_component(text: str) -> tuple[str, str]:
    """A GitLab component is two YAML documents: the `spec:` header, then the jobs."""
    head, sep, body = text.partition("\n---\n")
    assert sep, "a component has a `spec:` header, then `---`, then its jobs"
    return head + "\n", body


def component_inputs(text: str) -> dict[str, dict[str, Any]]:
    head, _ = split_component(text)
    return dict(load_yaml(head)["spec"]["inputs"])


def render_component(text: str, given: dict[str, str] | None = None) -> str:
    """GitLab's include-time interpolation: `$[[ inputs.x ]]` takes the given value, else the
    default; an input without a default must be given; an unknown input is an error."""
    spec = component_inputs(text)
    given = dict(given or {})
    unknown = set(given) - set(spec)
    assert not unknown, f"unknown inputs {sorted(unknown)}"
    values = {name: given.get(name, decl.get("default")) for name, decl in spec.items()}
    missing = [n for n, v in values.items() if v is None]
    assert not missing, f"inputs without a default must be given: {missing}"
    _, body = split_component(text)

    def sub(m: re.Match[str]) -> str:
        name = m.group(1)
        assert name in values, f"$[[ inputs.{name} ]] names no declared input"
        return str(values[name])

    return _INPUT.sub(sub, body)


def gitlab_jobs(text: str) -> dict[str, dict[str, Any]]:
    """Visible jobs with `extends:` resolved (one level deep, as the templates use it)."""
    doc = load_yaml(text)
    jobs = {}
    for name, job in doc.items():
        if name.startswith(".") or not isinstance(job, dict):
            continue
        merged: dict[str, Any] = {}
        for parent in ([job["extends"]] if isinstance(job.get("extends"), str)
                       else job.get("extends", [])):
            merged.update(doc[parent])
        for key, value in job.items():
            if key == "variables":
                merged["variables"] = {**merged.get("variables", {}), **value}
            else:
                merged[key] = value
        jobs[name] = merged
    return jobs


def groovy_sh_scripts(text: str) -> list[str]:
    """The shell text of every `sh '...'`/`sh '''...'''` step (single-quoted Groovy
    strings: the shell, not Groovy, expands their variables)."""
    found = re.findall(r"\bsh\s*\(?\s*(?:script:\s*)?'''(.*?)'''", text, flags=re.S)
    rest = re.sub(r"'''.*?'''", "", text, flags=re.S)
    found += re.findall(r"\bsh\s*\(?\s*(?:script:\s*)?'((?:[^'\\\n]|\\.)*)'", rest)
    return [s.replace("\\\\", "\\") for s in found]


def validator(name: str) -> str:
    """The path of a validator; missing: FAIL in CI (CI is set), skip on a workstation."""
    venv_bin = Path(sys.executable).parent
    for candidate in (venv_bin / name, ROOT / ".cache" / "npm-groovy-lint" / "node_modules"
                      / ".bin" / name):
        if candidate.exists():
            return str(candidate)
    found = shutil.which(name)
    if found:
        return found
    message = (f"{name} is not installed: `make test` installs it (python `test` extra; "
               "npm-groovy-lint under .cache/npm-groovy-lint)")
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)
    raise AssertionError  # unreachable: pytest.skip raises


def build_package_index(base: Path, *extra: str) -> str:
    """A PEP 503 index (file://) under base with a wheel of this repository and its
    dependencies (and of the extra requirements): what the templates' install steps and
    init's hooks install from."""
    wheels = base / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "-w", str(wheels),
                    str(ROOT), *extra], check=True, timeout=300)
    for wheel in wheels.glob("*.whl"):
        name = re.sub(r"[-_.]+", "-", wheel.name.split("-")[0]).lower()
        folder = base / "simple" / name
        folder.mkdir(parents=True, exist_ok=True)
        (folder / wheel.name).write_bytes(wheel.read_bytes())
        (folder / "index.html").write_text(f'<a href="{wheel.name}">{wheel.name}</a>\n')
    return (base / "simple").as_uri()
