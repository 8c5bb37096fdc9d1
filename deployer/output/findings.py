"""The one place that prints findings (`deployer.core.findings`): text, JSON, GitHub
annotations, JUnit and GitLab Code Quality. The same renderers serve `lint`, `commit-msg`,
`branch` and the deployer's pre-flight check, so every output format behaves alike.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from deployer.core.findings import Finding


def format_text(findings: Sequence[Finding], *, color: bool = False) -> str:
    lines = []
    for f in findings:
        code = f.code
        if color:
            shade = "31" if f.severity == "error" else "33"
            code = f"\x1b[1;{shade}m{code}\x1b[0m"
        lines.append(f"{f.path}:{f.line}:{f.col}: {code} {f.message}")
    return "\n".join(lines)


def render(findings: Sequence[Finding], fmt: str, *, color: bool = False) -> str:
    """What `--format text|json|github` prints: "" when there is nothing to say.

    JSON always prints (an empty array is an answer a script can read); the text and
    GitHub forms stay silent when nothing was found.
    """
    if fmt == "json":
        return format_json(findings) + "\n"
    if not findings:
        return ""
    if fmt == "github":
        return format_github(findings) + "\n"
    return format_text(findings, color=color) + "\n"


def format_json(findings: Sequence[Finding]) -> str:
    return json.dumps([f.as_dict() for f in findings], indent=2, ensure_ascii=False)


def _gh_escape(value: str, *, prop: bool = False) -> str:
    # GitHub workflow commands need %, CR and LF escaped; properties also , and :
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


def format_github(findings: Sequence[Finding]) -> str:
    lines = []
    for f in findings:
        kind = "error" if f.severity == "error" else "warning"
        props = ",".join(
            [
                f"file={_gh_escape(f.path, prop=True)}",
                f"line={f.line}",
                f"col={f.col}",
                f"title={_gh_escape(f.code, prop=True)}",
            ]
        )
        lines.append(f"::{kind} {props}::{_gh_escape(f.message)}")
    return "\n".join(lines)


def format_junit(findings: Sequence[Finding], *, suite: str, checked: Sequence[str]) -> str:
    """One testcase per checked file (or commit); a failure element per finding."""
    # xml.sax.saxutils drags in urllib and email: import it only when a report is asked for
    from xml.sax.saxutils import escape, quoteattr

    by_path: dict[str, list[Finding]] = {p: [] for p in checked}
    for f in findings:
        by_path.setdefault(f.path, []).append(f)
    failures = sum(1 for fs in by_path.values() if any(f.severity == "error" for f in fs))
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f"<testsuites><testsuite name={quoteattr(suite)} tests=\"{len(by_path)}\" "
        f'failures="{failures}" errors="0">',
    ]
    for path, fs in by_path.items():
        out.append(f"<testcase classname={quoteattr(suite)} name={quoteattr(path)}>")
        errors = [f for f in fs if f.severity == "error"]
        if errors:
            body = "\n".join(f"{f.path}:{f.line}:{f.col}: {f.code} {f.message}" for f in errors)
            out.append(
                f"<failure message={quoteattr(f'{len(errors)} finding(s)')} "
                f'type="dagship">{escape(body)}</failure>'
            )
        warnings = [f for f in fs if f.severity == "warning"]
        if warnings:
            body = "\n".join(f"{f.path}:{f.line}:{f.col}: {f.code} {f.message}" for f in warnings)
            out.append(f"<system-out>{escape(body)}</system-out>")
        out.append("</testcase>")
    out.append("</testsuite></testsuites>")
    return "\n".join(out) + "\n"


def format_codequality(findings: Sequence[Finding]) -> str:
    """GitLab Code Quality report (a subset of the Code Climate format)."""
    import hashlib

    items = []
    for f in findings:
        fingerprint = hashlib.sha256(
            f"{f.path}:{f.line}:{f.col}:{f.code}:{f.message}".encode()
        ).hexdigest()
        items.append(
            {
                "description": f"{f.code} {f.message}",
                "check_name": f.code,
                "fingerprint": fingerprint,
                "severity": "major" if f.severity == "error" else "minor",
                "location": {"path": f.path, "lines": {"begin": f.line}},
            }
        )
    return json.dumps(items, indent=2, ensure_ascii=False)
