"""The one terminal rule: colour (and a live progress bar) only where a person is watching.

`--color/--no-color` decide when given; otherwise a stream gets colour only when it is a
terminal. The hooks' fast entry uses this too, so `dagship commit-msg` and the click CLI
agree on every stream.
"""

from __future__ import annotations

from typing import IO, Any


def is_terminal(stream: IO[Any] | None) -> bool:
    """True for a terminal; False for files, pipes, captured and closed streams."""
    isatty = getattr(stream, "isatty", None)
    if isatty is None:
        return False
    try:
        return bool(isatty())
    except ValueError:  # a closed stream
        return False


def use_color(flag: bool | None, stream: IO[Any] | None) -> bool:
    """An explicit --color/--no-color wins; else colour on a terminal only."""
    return is_terminal(stream) if flag is None else flag
