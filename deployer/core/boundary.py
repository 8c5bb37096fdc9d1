"""The one error boundary: every command runs inside `guarded`, which maps failures to exit
codes (see `deployer.core.errors`), masks secrets and never shows a traceback for an expected
failure. It imports no click, so the commit-msg fast path (`deployer.cli.entry`) can use it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

from deployer.core import errors


def _say(text: str) -> None:
    from deployer.core.redact import redact

    sys.stderr.write(redact(text) + "\n")
    sys.stderr.flush()


def guarded(run: Callable[[], int]) -> int:
    try:
        return run()
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except errors.DagshipError as exc:
        _say(f"dagship: error: {exc.message}")
        return exc.exit_code
    except KeyboardInterrupt:
        _say("dagship: interrupted")
        return errors.EXIT_INTERRUPTED
    except Exception as exc:  # noqa: BLE001 - the top boundary: report a bug, never a traceback
        _say(
            f"dagship: internal error: {type(exc).__name__}: {exc}\n"
            "This is a bug in dagship; run with DAGSHIP_TRACEBACK=1 and report the output."
        )
        if os.environ.get("DAGSHIP_TRACEBACK"):
            import traceback

            _say(traceback.format_exc())
        return errors.EXIT_INTERNAL
