from __future__ import annotations

import pytest

from deployer.yaml.loader import load
from deployer.yaml.nodes import Mark, MDict, MList, YamlSyntaxError


def test_marks_for_keys_values_and_items() -> None:
    data, dups = load("workflow:\n  name: x\ntasks:\n  - name: a\n  - name: b\n")
    assert dups == []
    assert isinstance(data, MDict)
    assert data.key_mark("tasks") == Mark(3, 1)
    tasks = data["tasks"]
    assert isinstance(tasks, MList)
    assert tasks.item_mark(1) == Mark(5, 5)
    assert data["workflow"].value_mark("name") == Mark(2, 9)


def test_duplicate_keys_are_reported_with_both_lines() -> None:
    _, dups = load("a: 1\nb: 2\na: 3\n")
    assert [(d.key, d.mark.line, d.first.line) for d in dups] == [("a", 3, 1)]


def test_yaml11_keys_and_timestamps_stay_text() -> None:
    data, _ = load("on: yes\nstart: 2024-01-01\nn: 010\nf: 1.5\nz: ~\n")
    assert data == {"on": True, "start": "2024-01-01", "n": 8, "f": 1.5, "z": None}
    assert list(data) == ["on", "start", "n", "f", "z"]


def test_quoted_scalars_stay_strings() -> None:
    data, _ = load("a: '1'\nb: \"true\"\nc: |\n  x\n")
    assert data == {"a": "1", "b": "true", "c": "x\n"}


def test_anchors_and_merge_keys() -> None:
    text = "base: &b {x: 1, y: 2}\nuse:\n  <<: *b\n  y: 3\nref: *b\n"
    data, dups = load(text)
    assert dups == []
    assert data["use"] == {"x": 1, "y": 3}
    assert data["ref"] == {"x": 1, "y": 2}


def test_syntax_error_has_a_position() -> None:
    with pytest.raises(YamlSyntaxError) as info:
        load("a: [1, 2\nb: 3\n")
    assert info.value.mark.line == 2
    assert info.value.message.startswith("invalid YAML:")


def test_empty_document() -> None:
    assert load("") == (None, [])
    assert load("# only a comment\n") == (None, [])


def test_an_alias_bomb_is_built_once_not_expanded() -> None:
    # each level multiplies the expansion by 9: a few more lines would exhaust memory if
    # every alias were built anew; shared, the value costs what the text costs
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]" for i in range(1, 5)]
    data, _ = load("\n".join(lines) + "\n")
    assert data["l4"][0] is data["l4"][8] is data["l3"]


def test_an_anchor_used_inside_itself_is_a_syntax_error_not_a_crash() -> None:
    with pytest.raises(YamlSyntaxError, match="recursive alias") as exc:
        load("a: &a [1, *a]\n")
    assert exc.value.mark == Mark(1, 4)
    with pytest.raises(YamlSyntaxError, match="invalid YAML"):
        load("a: &a {<<: *a}\n")


def _laughs(levels: int) -> str:
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]" for i in range(1, levels)]
    return "\n".join(lines) + f"\nworkflow:\n  name: w\n  param: {{x: *l{levels - 1}}}\n"


def test_billion_laughs_is_refused_at_the_anchor_within_bounded_memory() -> None:
    import tracemalloc

    tracemalloc.start()
    try:
        with pytest.raises(YamlSyntaxError, match="billion laughs") as exc:
            load(_laughs(10))  # 9**10 "lol"s once expanded
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert exc.value.mark == Mark(5, 5)  # l4, the anchor whose aliases crossed the budget
    assert peak < 5_000_000  # bytes: the text's size, not the expansion's


def test_shared_anchors_below_the_expansion_budget_still_load() -> None:
    text = ("defaults: &d {retries: 1, worker_group: default}\n"
            "tasks:\n" + "".join(f"  - {{<<: *d, name: t{i}}}\n" for i in range(2000)))
    data, dups = load(text)
    assert len(data["tasks"]) == 2000
    assert data["tasks"][1999]["retries"] == 1
    assert dups == []


def test_a_long_text_aliased_many_times_is_refused_too() -> None:
    # 1 MB of text, aliased 200 times in a list and the list 2 times more: 600 MB once
    # a deploy payload or a digest expands it
    text = ("big: &t " + "x" * 1_000_000 + "\nl: &l [" + ", ".join(["*t"] * 200) + "]\n"
            "m: [*l, *l]\n")
    with pytest.raises(YamlSyntaxError, match="KB of text") as exc:
        load(text)
    assert exc.value.mark.line == 1  # the text's anchor
    data, _ = load("big: &t " + "x" * 1_000_000 + "\nl: [*t, *t, *t]\n")
    assert data["l"][2] is data["big"]  # a few aliases of a long text stay fine (and shared)
