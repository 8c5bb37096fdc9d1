"""The registry of workflow finding codes: code -> (severity, title).

Codes are stable: a code once published keeps its meaning. Severity belongs to the
registry, not to the call site, so `lint.disable` and reports agree everywhere.
`docs/rules.md` documents each code with how to fix it; a test keeps both in step.
"""

from __future__ import annotations

from deployer.core.findings import Severity

E: Severity = "error"
W: Severity = "warning"

CODES: dict[str, tuple[Severity, str]] = {
    # WF1xx structure
    "WF100": (E, "invalid YAML or JSON syntax"),
    "WF101": (E, "duplicate key"),
    "WF102": (E, "unknown key"),
    "WF103": (E, "wrong value type"),
    "WF104": (E, "value not accepted (enum, case, format)"),
    "WF105": (E, "required key missing"),
    "WF106": (E, "unknown task type"),
    "WF107": (E, "not a workflow file"),
    "WF108": (E, "file cannot be read"),
    "WF109": (E, "malformed native export"),
    "WF110": (W, "numeric code in a native export is not portable"),
    "WF111": (E, "parameter type unknown to the target's DolphinScheduler version"),
    # WF2xx graph
    "WF201": (E, "duplicate task name"),
    "WF202": (E, "dependency on an unknown task"),
    "WF203": (E, "dependency cycle"),
    "WF204": (E, "switch/condition references an unknown task"),
    "WF205": (W, "logic task references a task declared after it"),
    "WF206": (E, "workflow without tasks"),
    # WF3xx schedule
    "WF301": (E, "invalid Quartz cron expression"),
    "WF302": (E, "unknown time zone"),
    "WF303": (E, "invalid start/end time"),
    "WF304": (E, "schedule start is not before its end"),
    "WF305": (W, "schedule without an explicit time zone"),
    "WF306": (W, "schedule settings without a schedule"),
    # WF4xx substitutions and references
    "WF401": (E, "$FILE target not found"),
    "WF402": (E, "$VAR not defined for a target"),
    "WF403": (E, "$ENV variable unset or malformed"),
    "WF404": (E, "unknown ${CONFIG.X} key"),
    "WF405": (E, "$WORKFLOW target not found or not a workflow"),
    "WF406": (E, "workflow name not unique in the repository"),
    "WF407": (E, "sub-workflow references an unknown workflow"),
    "WF408": (E, "dependent references an unknown workflow"),
    "WF409": (E, "dependent references an unknown task of a workflow"),
    "WF410": (W, "$FILE not at the start of a value is not expanded"),
    "WF411": (E, "workflows include each other in a cycle (sub-workflow or $WORKFLOW)"),
    "WF412": (E, "resource not found in the repository"),
    "WF413": (E, "$RESOURCE names no file of the repository"),
    # WF5xx dialect traps
    "WF501": (E, "script ends with a file extension (resource-plugin trap)"),
    "WF502": (E, "release_state must be lowercase"),
    "WF503": (W, "key silently dropped on a logic task"),
    "WF504": (E, "http_params given as a list"),
    "WF505": (E, "Switch in a workflow without param"),
    "WF506": (W, "${CONFIG.X} with surrounding text"),
    "WF507": (W, "pydolphinscheduler 3.x form"),
    "WF508": (W, "removed workflow key `tenant`"),
    "WF509": (W, "`run: true` does not start the workflow"),
    # WF6xx security
    "WF601": (E, "credential hard-coded in a script"),
    # WF7xx limits
    "WF701": (E, "description too long"),
    "WF702": (E, "name too long"),
}


def severity(code: str) -> Severity:
    return CODES[code][0]
