"""Deploy metadata: a short marker at the end of the remote workflow's description.

`<user description> [dagship <digest12> <commit7|commit7+dirty|nogit> v<version>]`

`+dirty` (as `git describe --dirty` writes it): deployed with `--allow-dirty` from a working
tree whose shipped files differ from that commit, so the marker never claims a commit that
does not hold the definition.

It is visible in the DolphinScheduler UI (so an operator sees who manages a workflow and
from which commit), needs no state backend, and fits the server's 255-code-point limit:
the user part is shortened with an ellipsis when the whole would not fit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_DESCRIPTION = 255  # code points (DolphinScheduler error 1400004 beyond)
ELLIPSIS = "\u2026"
_MARKER = re.compile(
    r"(?:^|\s)\[dagship (?P<digest>[0-9a-f]{12}) (?P<commit>[0-9a-f]{7}(?:\+dirty)?|nogit) "
    r"v(?P<version>[0-9A-Za-z.+\-]+)\]\s*$"
)


@dataclass(frozen=True, slots=True)
class Meta:
    digest: str  # 12 hex digits of the canonical definition's sha256
    commit: str  # 7 hex digits of the source commit (+dirty), or "nogit"
    version: str  # dagship version that deployed it

    def marker(self) -> str:
        return f"[dagship {self.digest} {self.commit} v{self.version}]"


DIRTY = "+dirty"


def short_commit(commit: str | None) -> str:
    """The 7-character form of a commit id (`+dirty` kept); "nogit" outside a repository."""
    base = (commit or "").removesuffix(DIRTY)
    if not re.fullmatch(r"[0-9a-fA-F]{7,64}", base):
        return "nogit"
    return base[:7].lower() + (DIRTY if (commit or "").endswith(DIRTY) else "")


def is_dirty(commit: str | None) -> bool:
    return bool(commit) and str(commit).endswith(DIRTY)


def render(user_description: str, meta: Meta) -> str:
    """The description to send: the user's text, then the marker, within 255 code points."""
    marker = meta.marker()
    user = (user_description or "").strip()
    if not user:
        return marker
    room = MAX_DESCRIPTION - len(marker) - 1
    if len(user) > room:
        user = user[: max(room - 1, 0)].rstrip() + ELLIPSIS
    return f"{user} {marker}"


def parse(description: str | None) -> tuple[str, Meta | None]:
    """Split a remote description into the user's text and the marker (None: unmanaged)."""
    text = description or ""
    match = _MARKER.search(text)
    if match is None:
        return text, None
    user = text[: match.start()].rstrip()
    meta = Meta(match["digest"], match["commit"], match["version"])
    return user, meta


def fitted(user_description: str, version: str) -> str:
    """The user part exactly as it will read back from the server (trimmed, maybe shortened).

    The digest is computed over this form, so a description too long for the marker does
    not make every later plan see a change.
    """
    # fitted against the longer `+dirty` form, so a clean and a dirty deploy read the same
    return parse(render(user_description, Meta("0" * 12, "0" * 7 + DIRTY, version)))[0]
