"""Find credentials pasted into task scripts (Shell, SQL, Python, DataX JSON...).

Pure and fast: a handful of compiled regexes over the text, run on every commit. The aim is
few false positives, so a hit needs both a credential shape (a key name with an assignment, a
known token format, a URL's `user:pass@`) and a literal value.

Decisions:
- Values that are references are never flagged: anything starting with or containing a
  substitution (`${x}`, `$[x]`, `$VAR`, `$ENV{X}`, `$VAR{x}`, `$(cmd)`, `%(x)s`, `%s`,
  `{{x}}`, `{x}`), `<placeholder>`, masks (`***`, `xxx`), and code reading a value
  (`os.environ[...]`, `getenv(...)`, `Variable.get(...)`, a bare identifier passed as a
  keyword argument).
- Well-known placeholder words (`changeme`, `password`, `secret`, `example`, `dummy`, ...)
  are not flagged: they are not leaked secrets, and flagging them teaches people to ignore
  the check. `AKIA...EXAMPLE` (the AWS documentation key) is not flagged either.
- A secret in a comment is still a leaked secret and is flagged; prose without an assignment
  (`# rotate the password`) never matches.
- Messages never repeat the value: findings end up in CI logs.
- A false positive is allowed where it stands: the marker `dagship: allow-secret` anywhere on
  the line (in a comment of the script, or after the YAML value) silences the hits of that
  line, and only of that line; `lint.disable: [WF601]` would silence every file, which is
  rarely what one wants.
- DolphinScheduler access tokens are 32 hex characters; a bare hex string is too common (a
  digest, a UUID without dashes) to flag, so a hit needs the `token` header or key next to it.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = ["ALLOW_MARKER", "CredentialHit", "allowed_at", "find_credentials"]

ALLOW_MARKER = "dagship: allow-secret"


@dataclass(frozen=True, slots=True)
class CredentialHit:
    offset: int  # 0-based offset into text where the secret value starts
    kind: str
    message: str


_FIX = (
    "pass it as a DolphinScheduler parameter (`${db_password}`), `$ENV{DB_PASSWORD}`, "
    "or use a datasource instead"
)
_MESSAGES = {
    "password": f"password literal in the script: {_FIX}",
    "secret": f"secret or API key literal in the script: {_FIX}",
    "token": "access token in the script: revoke it, then pass it as a DolphinScheduler "
    "parameter or `$ENV{TOKEN}`",
    "aws-access-key": "AWS access key id in the script: revoke it, then use an instance role, "
    "`$ENV{AWS_ACCESS_KEY_ID}` or a DolphinScheduler parameter",
    "private-key": "private key in the script: revoke it, then keep it on the worker or in a "
    "DolphinScheduler resource file",
    "url-credentials": "password in a URL (`user:pass@host`): use a datasource, or build the "
    "URL from `$ENV{...}` / a DolphinScheduler parameter",
    "ds-token": "DolphinScheduler access token in the script: revoke it (Security > Token "
    "Manage), then pass it as a DolphinScheduler parameter or `$ENV{DS_TOKEN}`",
}

# Key names: PGPASSWORD, MYSQL_PWD, db.password, aws_secret_access_key, api-key, SLACK_TOKEN.
# The keyword must end the key or be followed by `_`/`-`, so `tokenizer=` or `passwordless=`
# do not count, and suffixes naming metadata about the secret (`password_file`) are skipped.
_KEY = re.compile(
    r"""(?ix)
    (?<![\w$])
    (?P<key>[a-z0-9_.-]{0,40}?
        (?P<word>password|passwd|passphrase|pwd|secret|api[_-]?key|access[_-]?key|token|credentials?)
        (?P<suffix>[_-][a-z0-9_-]{0,40})?)
    (?P<kq>["']?)
    (?P<sep>\s*(?:=>|:=|=(?!=)|:)\s*)
    (?P<value>"[^"\n]*"|'[^'\n]*'|[^\s"',;&)}\]]+)
    """
)
_META_SUFFIX = re.compile(
    r"(?i)[_-](file|path|dir|env|var|name|len|length|type|policy|expiry|expires|ttl|timeout|"
    r"field|column|col|prompt|hash|url|uri|endpoint|limit|count|size|max|min|id|enabled|"
    r"required|type|key_id)$"
)
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("private-key", re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----")),
    ("aws-access-key", re.compile(r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA)[0-9A-Z]{16}\b")),
    ("token", re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,})")),
    ("token", re.compile(r"\bglpat-[A-Za-z0-9_-]{20,}")),
    ("token", re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}")),
    ("token", re.compile(r"hooks\.slack\.com/services/T[A-Z0-9]+/B[A-Z0-9]+/[A-Za-z0-9]{16,}")),
)
_URL = re.compile(
    r"(?i)\b[a-z][a-z0-9+.-]{0,20}://[^\s:/@'\"]{1,256}:(?P<value>[^\s@/'\"]{1,256})@[^\s@]"
)
# Oracle's thin URL carries `user/password@host`, no `://`
_ORACLE = re.compile(r"(?i)\bjdbc:oracle:\w+:[^\s/@'\":]{1,128}/(?P<value>[^\s@'\"]{1,256})@")
# the DolphinScheduler API's `token` header or parameter with a 32-hex-digit value
_DS_TOKEN = re.compile(r"(?i)\btoken[\"']?\s*[:=]\s*[\"']?(?P<value>[0-9a-f]{32})(?![0-9a-z])")
_MYSQL_P = re.compile(r"(?<![\w-])-p(?P<value>'[^'\n]*'|\"[^\"\n]*\"|[^\s'\"-][^\s'\"]*)")
_MYSQL_CMD = re.compile(r"\b(?:mysql|mysqldump|mysqladmin|mysqlimport|mariadb)\b")
_SQL = re.compile(
    r"(?i)\b(?:identified\s+by(?:\s+password)?|(?:create|alter)\s+(?:user|role)\b[^;\n]{0,200}?"
    r"\bpassword)\s+(?P<value>'[^'\n]*'|\"[^\"\n]*\")"
)
_FLAG = re.compile(
    r"(?i)(?<![\w-])(?:--(?:password|passwd|token|api-key|secret)|sshpass\s+-p)\s+"
    r"(?P<value>'[^'\n]*'|\"[^\"\n]*\"|[^\s'\"-][^\s'\"]*)"
)
_AUTH = re.compile(
    r"(?i)\bauthorization:\s*(?:basic|bearer|token)\s+(?P<value>[A-Za-z0-9+/=._-]{8,})"
)

_PLACEHOLDER_WORDS = {
    "", "changeme", "change_me", "changeit", "password", "passwd", "pwd", "pass", "secret",
    "token", "example", "dummy", "placeholder", "null", "none", "nil", "todo", "tbd", "redacted",
    "your_password", "yourpassword", "your-password", "mypassword", "my_password", "true",
    "false", "undefined", "hidden", "masked", "...", "<redacted>",
}  # fmt: skip
_REFERENCE = re.compile(
    r"""(?x)
    \$(?:[{\[(]|[A-Za-z_])          # ${x} $[x] $(cmd) $VAR $ENV{X} $VAR{x}
    | %\(\w+ | %s | \{\{ | \{\w*\}     # %(x)s %s {{x}} {x} (bare values stop at `)`)
    | ^< | ^\*+$ | ^x+$ | ^\.+$ | ^\?+$ | ^-+$   # <placeholder>, masks
    """,
    re.IGNORECASE,
)
_TYPE_WORDS = {"str", "string", "bytes", "int", "optional", "any", "secretstr", "text"}
# Code that reads the value rather than containing it.
_CODE = re.compile(
    r"(?i)(?:[a-z_][\w.]*\s*[(\[]|os\.environ|getenv|getpass|(?:none|null|true|false)\b)"
)


# Every pattern above needs one of these (lower-case) fragments. Plain substring tests on
# the lowered text let the common script, with no credential vocabulary at all, skip the
# nine regex passes; a case-insensitive regex alternation here costs as much as the passes.
# Keep it a superset of what the patterns can match.
_TRIGGERS = (
    "pass", "pwd", "secret", "key", "token", "credential", "authorization", "mysql",
    "mariadb", "identified", "://", "akia", "asia", "agpa", "aida", "aroa", "aipa", "anpa",
    "anva", "jdbc:oracle", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "glpat-", "xox",
    "hooks.slack",
)  # fmt: skip


def find_credentials(text: str) -> list[CredentialHit]:
    """Credentials in `text`, sorted by offset, at most one per value."""
    lowered = text.lower()
    if not any(trigger in lowered for trigger in _TRIGGERS):
        return []
    hits: dict[int, CredentialHit] = {}
    for offset, kind in _candidates(text):
        hits.setdefault(offset, CredentialHit(offset, kind, _MESSAGES[kind]))
    return [hits[k] for k in sorted(hits)]


def _candidates(text: str) -> Iterator[tuple[int, str]]:
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(text):
            if "EXAMPLE" not in m.group():
                yield m.start(), kind
    for m in _DS_TOKEN.finditer(text):
        yield m.start("value"), "ds-token"
    for m in _URL.finditer(text):
        if _literal(m.group("value")):
            yield m.start("value"), "url-credentials"
    for m in _ORACLE.finditer(text):
        if _literal(m.group("value")):
            yield m.start("value"), "url-credentials"
    for m in _SQL.finditer(text):
        yield from _value_hit(m, "password")
    for m in _FLAG.finditer(text):
        yield from _value_hit(m, "token" if "token" in m.group().lower() else "password")
    for m in _AUTH.finditer(text):
        yield from _value_hit(m, "token")
    yield from _mysql_hits(text)
    for m in _KEY.finditer(text):
        if _assignment_is_secret(text, m):
            yield from _value_hit(m, _kind_of(m.group("word")))


def allowed_at(text: str, offset: int) -> bool:
    """True if the line of `text` holding `offset` carries the allow marker."""
    return ALLOW_MARKER in _line_of(text, offset)


def _mysql_hits(text: str) -> Iterator[tuple[int, str]]:
    """`-pSECRET` is mysql's password flag, but only on a line that runs a mysql client."""
    if not _MYSQL_CMD.search(text):
        return
    newlines = [m.start() for m in re.finditer("\n", text)]
    mysql_lines = {bisect.bisect(newlines, m.start()) for m in _MYSQL_CMD.finditer(text)}
    for m in _MYSQL_P.finditer(text):
        if bisect.bisect(newlines, m.start()) in mysql_lines:
            yield from _value_hit(m, "password")


def _value_hit(m: re.Match[str], kind: str) -> Iterator[tuple[int, str]]:
    raw = m.group("value")
    quoted = raw[:1] in "'\"" and len(raw) >= 2
    value = raw[1:-1] if quoted else raw
    if _literal(value):
        yield m.start("value") + (1 if quoted else 0), kind


def _literal(value: str) -> bool:
    """True if `value` looks like a real secret, not a reference or a placeholder."""
    v = value.strip()
    if v.lower() in _PLACEHOLDER_WORDS or len(v) < 3:
        return False
    return not _REFERENCE.search(v)


def _assignment_is_secret(text: str, m: re.Match[str]) -> bool:
    suffix = m.group("suffix") or ""
    if _META_SUFFIX.search(suffix):
        return False
    raw = m.group("value")
    quoted = raw[:1] in "'\""
    if not quoted and _CODE.match(text, m.start("value")):
        return False
    if not quoted and re.fullmatch(r"[A-Za-z_]\w*", raw) and _variable(text, m):
        return False
    if m.group("word").lower() == "pwd" and raw.lstrip("'\"")[:1] in ("/", "~", "."):
        return False  # the shell's PWD / OLDPWD hold directories
    if ":" in m.group("sep") and "=" not in m.group("sep"):
        return quoted or _yaml_line(text, m)
    return True


def _variable(text: str, m: re.Match[str]) -> bool:
    """A bare identifier that is a variable in code rather than a shell literal.

    `connect(password=db_pass)` and `token = tok` pass variables; shell assignments have no
    spaces around `=`, so `PGPASSWORD=hunter2` stays a literal. Type annotations
    (`password: str`) are code too.
    """
    raw = m.group("value")
    nxt = text[m.end("value") : m.end("value") + 1]
    if nxt in (",", ")") or m.group("word").lower() in raw.lower():
        return True
    if raw.lower() in _TYPE_WORDS:
        return True
    sep = m.group("sep")
    return "=" in sep and sep != sep.strip() and not any(c.isdigit() for c in raw)


def _yaml_line(text: str, m: re.Match[str]) -> bool:
    """A bare `key: value` counts only as a whole YAML/properties line, not in prose."""
    line = _line_of(text, m.start())
    stripped = line.strip()
    if stripped.startswith(("#", "//", "--")):
        return False
    key_at_start = re.match(r"\s*(?:-\s+)?$", text[text.rfind("\n", 0, m.start()) + 1 : m.start()])
    end = text.find("\n", m.end("value"))
    rest = text[m.end("value") : end if end != -1 else len(text)]
    return key_at_start is not None and rest.strip() == ""


def _line_of(text: str, offset: int) -> str:
    start = text.rfind("\n", 0, offset) + 1
    end = text.find("\n", offset)
    return text[start : end if end != -1 else len(text)]


def _kind_of(word: str) -> str:
    w = word.lower()
    if w == "token":
        return "token"
    if w.startswith(("pass", "pwd")):
        return "password"
    return "secret"
