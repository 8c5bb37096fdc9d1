"""How findings and config errors word things: kinds of values and "did you mean" hints.

Shared by the config loader and the workflow validator so both speak alike. difflib is
imported only when a hint is asked for: the config loader runs on every commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def did_you_mean(word: str, choices: Iterable[str], *, fold: bool = False) -> str | None:
    import difflib

    options = list(choices)
    if fold:
        lowered = {c.lower(): c for c in options}
        close = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.6)
        return lowered[close[0]] if close else None
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return close[0] if close else None


def hint(word: str, choices: Iterable[str], *, fold: bool = False) -> str:
    close = did_you_mean(word, choices, fold=fold)
    return f" (did you mean `{close}`?)" if close else ""


def kind(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, int | float):
        return f"a number ({value})"
    text = value if len(value) <= 40 else value[:37] + "..."
    return f"a string ({text!r})"
