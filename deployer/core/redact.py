"""Secrets never appear in output: every message that leaves the tool passes through here.

The client registers the token as soon as it reads it; the CLI boundary, the
reporters and the log handler call `redact` on everything they print.
"""

from __future__ import annotations

import logging

_SECRETS: set[str] = set()
MASK = "***"
# DolphinScheduler's access tokens have 32 characters. Shorter values are not masked (they
# would turn ordinary words into `***`) and the commands refuse them as tokens. Every
# occurrence of a longer one is masked, inside other text too (`%3D<token>`): such a string
# is never an ordinary word, so no word is mangled and no embedded token leaks.
MIN_SECRET_LENGTH = 16


def register_secret(value: str | None) -> None:
    if value and len(value) >= MIN_SECRET_LENGTH:
        _SECRETS.add(value)


def redact(text: str) -> str:
    for secret in sorted(_SECRETS, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, MASK)
    return text


class RedactingFilter(logging.Filter):
    """Rewrites log records so a token in a message or its arguments is masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        return True
