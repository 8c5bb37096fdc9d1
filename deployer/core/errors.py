"""One error hierarchy for the whole tool; the CLI boundary maps it to exit codes.

Exit codes (documented in the README):
  0  success, nothing found
  1  findings at error level (lint, commit-msg, branch) or a deploy refused (drift, invalid
     files, a cycle of new workflows)
  2  usage error or invalid configuration
  3  the scheduler could not be reached, or it rejected the token, after retries
  4  a deploy was applied only in part (or not at all: the project could not be created)
  5  internal error (a bug): the message asks for a report
  6  `run`/smoke: a workflow instance ended in FAILURE
  7  `run`/smoke: a workflow instance was stopped or killed (STOP, KILL, PAUSE)
  8  `run`/smoke: --timeout passed before every instance ended (they are left running)
  130 interrupted
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_UNREACHABLE = 3
EXIT_PARTIAL = 4
EXIT_INTERNAL = 5
EXIT_RUN_FAILED = 6
EXIT_RUN_KILLED = 7
EXIT_RUN_TIMEOUT = 8
EXIT_INTERRUPTED = 130
EXIT_CHANGES = 2  # `plan --detailed-exitcode` only: changes pending (errors are 1 there)


class DagshipError(Exception):
    """An expected failure the user can fix; its message is shown without a traceback."""

    exit_code = EXIT_FINDINGS

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConfigError(DagshipError):
    """dagship.yaml is missing a required part, malformed or asks for something impossible."""

    exit_code = EXIT_USAGE


class UsageError(DagshipError):
    """The command line asks for something that cannot be done (unknown target, bad range)."""

    exit_code = EXIT_USAGE


class GitError(UsageError):
    """git refused what was asked (not a repository, no such ref) or did not answer in time."""


class GitMissing(GitError):
    """git is not installed or not on PATH."""


class ValidationFailed(DagshipError):
    """Workflow files have error-level findings, so nothing is sent to the scheduler."""

    exit_code = EXIT_FINDINGS


class DeployRefused(DagshipError):
    """The plan cannot be applied as asked (drift under --on-drift fail, branch not allowed)."""

    exit_code = EXIT_FINDINGS


class ApiError(DagshipError):
    """The scheduler answered with a business error (non-zero `code` in the body)."""

    exit_code = EXIT_PARTIAL

    def __init__(self, message: str, *, code: int | None = None, endpoint: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.endpoint = endpoint


class TransportError(DagshipError):
    """The scheduler could not be reached or answered garbage, after every retry."""

    exit_code = EXIT_UNREACHABLE


class NothingListens(TransportError):
    """Nothing answers at the scheduler's address (connection refused, no such host) and
    nothing ever did in this run: a wrong URL or a server that is down, not worth retries."""


class AuthError(TransportError):
    """The scheduler rejected the token (HTTP 401) or no token was given."""


class PartialDeploy(DagshipError):
    """Some workflows were deployed, some failed; the report says which."""

    exit_code = EXIT_PARTIAL


class RunFailed(DagshipError):
    """A workflow instance started by `run` (or a smoke run) ended in FAILURE."""

    exit_code = EXIT_RUN_FAILED


class RunKilled(DagshipError):
    """A workflow instance was stopped, paused or killed before it could succeed."""

    exit_code = EXIT_RUN_KILLED


class RunTimedOut(DagshipError):
    """`--timeout` passed while instances were still running (they are left running)."""

    exit_code = EXIT_RUN_TIMEOUT
