"""The peer corpus of ../shared/corpus/peer/ (other projects' test material, with the verdict a
correct dagship gives): its folders and the rows of their `expected.tsv`."""

from __future__ import annotations

import csv
from pathlib import Path

PEER = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus" / "peer"


def rows(folder: Path) -> list[dict[str, str]]:
    """The rows of `folder/expected.tsv`; [] where the shared corpus is not present."""
    table = folder / "expected.tsv"
    if not table.is_file():
        return []
    with table.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
