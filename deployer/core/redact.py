"""Secrets never appear in output: every message that leaves the tool passes through here.

The client registers the token as soon as it reads it; the CLI boundary, the
reporters and the log handler call `redact` on everything they print.
"""

from __future__ import annotations

import logging

_SECRETS: set[str] = set()
MASK = "***"


def register_secret(value: str | None) -> None:
    # Very short values would mask innocent text; real tokens are 32+ characters.
    if value and len(value) >= 4:
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
