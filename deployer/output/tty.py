"""The one terminal rule: colour (and a live progress bar) only where a person is watching.

`--color/--no-color` decide when given; otherwise a stream gets colour only when it is a
terminal. The hooks' fast entry uses this too, so `dagship commit-msg` and the click CLI
agree on every stream.
"""

from __future__ import annotations

from typing import IO, Any

# SGR codes of the colours dagship uses: what failed, what deserves a look, what is new.
ERROR, WARNING, ADDED = "31", "33", "32"


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


def paint(text: str, sgr: str, on: bool) -> str:
    """`text` in the colour `sgr` (an ANSI SGR code such as ERROR) when `on`."""
    return f"\x1b[{sgr}m{text}\x1b[0m" if on else text
