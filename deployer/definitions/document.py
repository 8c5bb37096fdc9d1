"""A dialect document made in memory, read as deploy reads a file.

The plan reverses a remote workflow into the YAML dialect (pull's reverse) and reads it
back here, so both sides of a comparison are `WorkflowSpec`s of the same loader and their
differences can be said in the words of the workflow file. JSON is YAML: the document is
serialised as JSON and parsed by the usual reader, marks and all.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from deployer.core.config import Config, Target
from deployer.definitions import subst
from deployer.definitions._collect import Collector
from deployer.definitions.model import WorkflowSpec


def load_document(doc: Mapping[str, Any], *, config: Config, target: Target,
                  where: str) -> WorkflowSpec | None:
    """The spec of a dialect document for `target`; None when it does not load without an
    error (a task type the dialect lacks, a literal `$ENV{...}` in a remote script)."""
    from deployer.definitions.pyds import PydsReader
    from deployer.yaml.loader import load
    from deployer.yaml.nodes import YamlSyntaxError

    text = json.dumps(doc, ensure_ascii=False, indent=1)
    try:
        tree, _dups = load(text)
    except YamlSyntaxError:
        return None
    out = Collector(where)
    ctx = subst.Context(
        yaml_dir=config.root, root=config.root, target=target, targets={target.name: target},
        env={}, workflow_name=lambda _path: None, read_text=lambda _path: None,
        display=lambda path: str(path))

    def same_project(project: str | None) -> bool:
        return project is None or project == target.project

    spec = PydsReader(Path(where), text, ctx, out, same_project).read(tree).spec
    return None if out.errors else spec
