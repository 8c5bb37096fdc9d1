"""Where the running dagship came from, so that `dagship init` makes the hooks and CI files
of a data repository install that same dagship.

The installer's record says it (PEP 610: `direct_url.json` in the distribution's metadata):
`pip install git+URL@REF` records the URL and the exact commit, a folder install records the
folder (and whether it is editable), an index install records nothing. `--hooks-repo
URL[@REV]` overrides. A name-only pin to a package index is never the answer: an index
install is the release of its version, which dagship's repository tags `v<version>`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from urllib.parse import unquote, urlsplit

import deployer
from deployer import __version__
from deployer.core.errors import UsageError

# dagship's home (pyproject.toml [project.urls] Repository; a test keeps them equal)
HOME = "https://github.com/dagship/dagship"
_REV = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/+-]*$")  # a tag, branch or commit
_COMMIT = re.compile(r"^[0-9a-f]{40}$")


@dataclass(frozen=True)
class Source:
    """A Git repository and revision to install dagship from (`repo` None: none, the hooks
    run the `dagship` on PATH); `label` names the revision for people (a tag), `origin` says
    how it was found, for init's output and the files' comments."""

    repo: str | None
    rev: str | None
    label: str | None
    origin: str

    @property
    def pinned(self) -> str:
        """`rev`, with a `# frozen: <tag>` comment when it is a commit with a name."""
        if self.rev and self.label and _COMMIT.match(self.rev) and self.label != self.rev:
            return f"{self.rev}  # frozen: {self.label}"
        return self.rev or ""


def release(origin: str) -> Source:
    """The release of this version: its tag in dagship's repository."""
    return Source(HOME, f"v{__version__}", f"v{__version__}", origin)


def parse_hooks_repo(value: str) -> Source:
    """`URL[@REV]`; REV defaults to this version's release tag. An `@` inside the URL's
    user part (`ssh://git@host/x`, `git@host:x`) is not a revision: a revision never holds a
    `:` and follows the path."""
    url, rev = value.strip(), None
    head, sep, tail = url.rpartition("@")
    if sep and ":" not in tail and head and not re.fullmatch(r"[\w+.-]+://[^/]*", head) \
            and not re.fullmatch(r"[\w.-]+", head):
        url, rev = head, tail
    if not url or url.startswith("@"):
        raise UsageError(f"--hooks-repo {value!r}: expected URL[@REV], e.g. {HOME}@v{__version__}")
    if rev is not None and not _REV.match(rev):
        raise UsageError(f"--hooks-repo {value!r}: {rev!r} is not a tag, branch or commit")
    rev = rev or f"v{__version__}"
    return Source(url, rev, rev if not _COMMIT.match(rev) else None,
                  "named by `dagship init --hooks-repo`")


def installed() -> Source:
    """The source of the dagship that is running, from its distribution's PEP 610 record."""
    dist = _running_distribution()
    if dist is None:
        return Source(None, None, None, f"this dagship runs from the folder {_package_root()}"
                      ", not from an installed distribution")
    record = dist.read_text("direct_url.json")
    if record is None:
        return release(f"dagship {__version__} was installed from a package index")
    data = json.loads(record)
    url = str(data.get("url", ""))
    vcs = data.get("vcs_info")
    if isinstance(vcs, dict) and vcs.get("vcs") == "git" and vcs.get("commit_id"):
        requested = vcs.get("requested_revision")
        return Source(url, str(vcs["commit_id"]), str(requested) if requested else None,
                      f"dagship was installed from {url}"
                      + (f" at {requested}" if requested else ""))
    if isinstance(data.get("dir_info"), dict):
        editable = " (editable)" if data["dir_info"].get("editable") else ""
        return Source(None, None, None,
                      f"dagship was installed from the folder {_file_path(url)}{editable}")
    return release(f"dagship {__version__} was installed from the archive {url}")


def _package_root() -> Path:
    return Path(deployer.__file__).resolve().parents[1]


def _file_path(url: str) -> str:
    parts = urlsplit(url)
    return unquote(parts.path) if parts.scheme == "file" else url


def _running_distribution() -> metadata.Distribution | None:
    """The installed `dagship` whose files are the running `deployer` package: a stray
    dagship.egg-info in the working directory, or another environment's, is not it."""
    running = Path(deployer.__file__).resolve()
    for dist in metadata.distributions(name="dagship"):
        record = dist.read_text("direct_url.json")
        data = json.loads(record) if record else {}
        if isinstance(data.get("dir_info"), dict) and data["dir_info"].get("editable"):
            where = Path(_file_path(str(data.get("url", ""))))
            if (where / "deployer" / "__init__.py").resolve() == running:
                return dist
        elif Path(str(dist.locate_file("deployer/__init__.py"))).resolve() == running:
            return dist
    return None
