"""Running a repository's workflows in nektos/act, offline, in host mode.

Third-party actions cannot be downloaded, and the project carries no third-party action code:
act resolves every `uses: owner/repo@ref` it is told about to a local folder
(`--local-repository`), which is either the dagship repository under test or a small
composite action written here that stands in for the real one (a test double, like the
sandbox). actions/checkout is act's own: it copies the work tree, history included.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Mapping
from pathlib import Path

import yaml

from tests.helpers.engines import Run, act, clean_env, missing, run

SETUP_PYTHON = "actions/setup-python@a26af69be951a213d495a4c3e4e4022e16d87065"
UPLOAD_ARTIFACT = "actions/upload-artifact@ea165f8d65b6e75b540449e92b4886f43607fa02"
DOWNLOAD_ARTIFACT = "actions/download-artifact@d3f86a106a0bac45b974a628896c90dbdf5c8093"


def python_home(version: str) -> Path:
    """The bin folder of a CPython `version`: pyenv's on these machines, the tool cache's on
    a GitHub runner, else `python<version>` on PATH."""
    bases = [Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")), Path("/root/.pyenv")]
    patterns = [f"versions/{version}.*/bin/python3"]
    for tools in filter(None, (os.environ.get("RUNNER_TOOL_CACHE"),
                               os.environ.get("AGENT_TOOLSDIRECTORY"))):
        bases.append(Path(tools))
        patterns.append(f"Python/{version}.*/x64/bin/python3")
    for base in bases:
        for pattern in patterns:
            found = sorted(base.glob(pattern))
            if found:
                return found[-1].parent
    on_path = shutil.which(f"python{version}")
    if on_path:
        return Path(on_path).resolve().parent
    missing(f"Python {version} (pyenv, or python{version} on PATH) for setup-python")
    raise AssertionError  # unreachable: missing() skips or fails


def composite(where: Path, name: str, inputs: dict[str, str], run_script: str,
               env: dict[str, str]) -> Path:
    where.mkdir(parents=True)
    (where / "action.yml").write_text(yaml.safe_dump({
        "name": f"{name} (test stand-in)", "description": f"Stands in for {name}",
        "inputs": {k: {"description": k, "required": False, "default": v}
                   for k, v in inputs.items()},
        "runs": {"using": "composite", "steps": [{"shell": "bash", "env": env,
                                                  "run": run_script}]},
    }, sort_keys=False), encoding="utf-8")
    return where


def setup_python(where: Path, *versions: str) -> Path:
    """actions/setup-python: a fresh venv of the requested CPython (one of `versions`) first
    on PATH, so a job's pip installs stay in the job; another version fails the step."""
    cases = "".join(f'  {v}) home="{python_home(v)}" ;;\n' for v in versions)
    script = ('set -euo pipefail\ncase "$WANTED" in\n' + cases +
              '  *) echo "::error::no Python $WANTED"; exit 1 ;;\nesac\n'
              '"$home/python3" -m venv "$RUNNER_TEMP/python-$WANTED"\n'
              'echo "$RUNNER_TEMP/python-$WANTED/bin" >> "$GITHUB_PATH"\n')
    return composite(where, "actions/setup-python", {"python-version": ""}, script,
                      {"WANTED": "${{ inputs.python-version }}"})


def upload_artifact(where: Path) -> Path:
    """actions/upload-artifact: copies `path` into $ARTIFACT_STORE/<name>/ (a folder's
    contents, as the real action stores them relative to it)."""
    script = ('set -euo pipefail\nshopt -s nullglob\ndest="$ARTIFACT_STORE/$NAME"\n'
              'mkdir -p "$dest"\nfiles=($SOURCE)\n'
              '[ ${#files[@]} -gt 0 ] || { echo "::error::no files in $SOURCE"; exit 1; }\n'
              'for f in "${files[@]}"; do\n'
              '  if [ -d "$f" ]; then cp -R "$f/." "$dest/"; else cp "$f" "$dest/"; fi\n'
              'done\n')
    return composite(where, "actions/upload-artifact",
                      {"name": "artifact", "path": "", "if-no-files-found": "warn"}, script,
                      {"NAME": "${{ inputs.name }}", "SOURCE": "${{ inputs.path }}"})


def download_artifact(where: Path) -> Path:
    """actions/download-artifact: copies $ARTIFACT_STORE/<name>/ into `path`."""
    script = ('set -euo pipefail\nsrc="$ARTIFACT_STORE/$NAME"\n'
              '[ -d "$src" ] || { echo "::error::no artifact $NAME"; exit 1; }\n'
              'mkdir -p "${DEST:-.}"\ncp -R "$src/." "${DEST:-.}/"\n')
    return composite(where, "actions/download-artifact", {"name": "", "path": ""}, script,
                      {"NAME": "${{ inputs.name }}", "DEST": "${{ inputs.path }}"})


class Act:
    """`act <event>` in `workdir`, with the given actions mapped to local folders; each run's
    event and log are kept beside each other in `tmp` for a post-mortem."""

    def __init__(self, workdir: Path, tmp: Path, actions: Mapping[str, Path],
                 env: Mapping[str, str]):
        self.workdir, self.tmp = workdir, tmp
        self.args = ["-P", "ubuntu-24.04=-self-hosted", "--action-offline-mode",
                     "--action-cache-path", str(tmp / "act-cache")]
        for uses, folder in actions.items():
            self.args += ["--local-repository", f"{uses}={folder}"]
        for name, value in env.items():
            self.args += ["--env", f"{name}={value}"]
        self.runs = 0

    def __call__(self, event: str, payload: dict, secrets: Mapping[str, str] | None = None,
                 job: str | None = None) -> Run:
        self.runs += 1
        path = self.tmp / f"event-{self.runs}.json"
        path.write_text(json.dumps(payload), encoding="utf-8")
        cmd: list[str | Path] = [act(), event, "-e", str(path), *self.args]
        if job:
            cmd += ["-j", job]
        for name, value in (secrets or {}).items():
            cmd += ["-s", f"{name}={value}"]
        result = run(cmd, self.workdir, clean_env())
        path.with_suffix(".log").write_text(result.log, encoding="utf-8")
        return result


def step_output(log: str) -> str:
    """What the steps printed: act prefixes each line with the job, then `| `."""
    return "\n".join(line.split("|", 1)[1] for line in log.splitlines() if "  | " in line)
