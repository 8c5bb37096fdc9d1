"""`LoadResult.read`: every file a load read, side files included (what a deploy ships)."""

from __future__ import annotations

from deployer.core.config import Config
from deployer.definitions.repo import load_repository


def test_read_lists_workflow_files_and_the_side_files_they_include(tmp_path):
    (tmp_path / "workflows").mkdir()
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "load.sh").write_text("echo load\n", encoding="utf-8")
    (tmp_path / "workflows" / "a.yaml").write_text(
        'workflow:\n  name: a\ntasks:\n  - name: t\n    task_type: Shell\n'
        '    command: $FILE{"../scripts/load.sh"}\n', encoding="utf-8")
    result = load_repository(Config(root=tmp_path, path=None, workflows=("workflows/",)))
    assert result.findings == []
    assert result.read == [tmp_path / "scripts" / "load.sh", tmp_path / "workflows" / "a.yaml"]
