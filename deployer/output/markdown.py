"""Markdown and Mermaid pieces every report shares (plan/deploy, diff, status, rollback).

A workflow or task name is user text: each helper escapes it for the place it lands, so no
name can break a table, a code span, an HTML summary or a Mermaid graph.
"""

from __future__ import annotations

import html


def md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def md_code(name: str) -> str:
    """A name as inline code in a table cell or a list item; a name with a backtick (which
    would end the code span) as HTML."""
    if "`" in name:
        return html_code(name).replace("|", "&#124;")
    return f"`{md_cell(name)}`"


def html_code(name: str) -> str:
    """A name as inline code inside HTML (`<summary>`), where Markdown is not rendered."""
    return f"<code>{html.escape(name).replace(chr(10), ' ')}</code>"


_MERMAID_ESCAPES = {"#": "#35;", '"': "#34;", "<": "#60;", ">": "#62;", "&": "#38;",
                    "`": "#96;", "\n": " ", "\r": " "}

# Added tasks green, changed yellow, removed red and dashed: one legend for every graph.
MERMAID_CLASSES = ["  classDef added fill:#d4f7d4,stroke:#2da44e",
                   "  classDef changed fill:#fff3c4,stroke:#bf8700",
                   "  classDef removed fill:#ffd7d5,stroke:#cf222e,stroke-dasharray: 4 2"]


def mermaid_label(name: str) -> str:
    """A quoted Mermaid label: entity codes for what would end the string, start an entity
    (`#`), be read as HTML (`<`, `>`, `&`) or as a Markdown string (a backtick)."""
    return "".join(_MERMAID_ESCAPES.get(ch, ch) for ch in name)


def mermaid_nodes(names: list[str]) -> tuple[dict[str, str], list[str]]:
    """Ids `t0, t1...` in the order given, and the `flowchart LR` header with one labelled
    node per name."""
    ids = {n: f"t{k}" for k, n in enumerate(names)}
    return ids, ["flowchart LR", *(f'  {ids[n]}["{mermaid_label(n)}"]' for n in names)]
