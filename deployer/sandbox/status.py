"""Business codes and messages of the DolphinScheduler API, and the errors that carry them.

Codes are the real server's numbers (identical in every generation). Messages are written here
in our own words; clients must decide on `code` only. In 3.1/3.2 the word "workflow" in a
message reads "process", as the real server's texts did before the rename.
"""

from __future__ import annotations

__all__ = ["MESSAGES", "ApiError", "MissingParam", "message"]

MESSAGES: dict[int, str] = {
    0: "success",
    10054: "create resource error",
    10055: "update resource error",
    10056: "query resources list error",
    10057: "query resources list paging",
    10058: "delete resource error",
    10060: "view resource file online error",
    10062: "resource file is empty",
    10181: "the tenant of the currently login user is not specified",
    10064: "download resource file error",
    20004: "resource not exist",
    20005: "resource already exists",
    20006: "resource suffix do not support online viewing",
    20007: "upload resource file size exceeds limit",
    20008: "resource suffix not allowed to be modified",
    20014: "resource file is used by process definition",
    20015: "parent resource not exist",
    20018: "There are files or folders in the current directory:{0}",
    20020: "Resource file [{0}] is illegal",
    60002: "storage not startup",
    1300009: "The file name verify failed",
    10000: "internal server error: {0}",
    10001: "request parameter {0} is not valid",
    10004: "user name is empty",
    10009: "os tenant code {0} already exists",
    10013: "wrong user name or password",
    10017: "tenant {0} does not exist",
    10018: "project {0} not found",
    10019: "project {0} already exists",
    10022: "schedule {0} does not exist",
    10023: "an online schedule cannot be updated",
    10024: "crontab expression is not valid: {0}",
    10028: "query alert group list error",
    10035: "query datasource error",
    10043: "user login failed",
    10046: "update project error",
    10047: "query project details error",
    10048: "create project error",
    10049: "query project list error",
    10050: "delete project error",
    10076: "create schedule error",
    10077: "update schedule error",
    10078: "schedule online error",
    10079: "schedule offline error",
    10080: "query schedule list paging error",
    10081: "query schedule list error",
    10084: "create tenant error",
    10086: "query tenant list error",
    10088: "delete tenant by id error",
    10092: "update user error",
    10098: "get user info error",
    10105: "create workflow definition error",
    10106: "verify workflow definition name error",
    10107: "update workflow definition error",
    10108: "release workflow definition error",
    10109: "query workflow definition detail error",
    10110: "query workflow definition list error",
    10122: "query workflow definition list paging error",
    10128: "queue {0} does not exist",
    10126: "schedule is already {0}",
    10137: "delete the workflow definitions of the project first",
    10139: "preview schedule error",
    10141: "start time and end time must differ",
    10146: "query worker group error",
    10151: "switch workflow definition version error",
    10152: "switch version: workflow definition {0} does not exist",
    10153: "switch version: workflow definition {0} has no version {1}",
    10154: "query workflow definition versions error",
    10156: "delete workflow definition version error",
    10144: "the tenant is used by {0} user(s)",
    10163: "workflow definition {0} has instances still running",
    10168: "workflow definition name {0} already exists",
    10190: "project {0} does not exist",
    10193: "workflow definition {0} is used by other workflows: {1}",
    10203: "schedule {0} does not exist",
    10204: "workflow {0} already has schedule {1}; update or delete it",
    10008: "task instance not found",
    10103: "view task instance log error: {0}",
    10113: "query workflow instance list paging error",
    10114: "query task list by workflow instance id error",
    10116: "query workflow instance by id error",
    50001: "workflow instance {0} does not exist",
    50003: "workflow definition {0} does not exist",
    50004: "workflow definition {0} is not online",
    50006: "workflow instance {0} is {1}: {2} is not possible now",
    50008: "workflow definition {0} cannot be edited while online",
    50014: "start workflow instance error",
    50015: "execute workflow instance error",
    50017: "data {0} is not valid",
    50019: "the workflow graph has a cycle",
    50020: "parameters of workflow node {0} are not valid",
    50021: "workflow definition {0} is online",
    50022: "delete workflow definition error",
    50023: "schedule {0} is online",
    50024: "delete schedule error",
    50026: "batch delete workflow definitions failed: {0}",
    50027: "there is no tenant suitable; choose an available tenant",
    50030: "task definitions {0} do not exist",
    50035: "the workflow DAG is empty",
    50036: "a workflow task relation is not valid",
    50053: "this version is the one in use",
    70010: "create access token error",
    70012: "query access token list error",
    80003: "start time is later than end time",
    1200010: "query environment list error",
    1400004: "description is too long",
}


def message(code: int, args: tuple[object, ...], legacy: bool) -> str:
    """The msg text for `code`, with `{n}` filled from args; 3.1/3.2 say "process"."""
    text = MESSAGES.get(code, "error {0}")
    for i, arg in enumerate(args):
        text = text.replace("{" + str(i) + "}", _format(arg))
    for i in range(len(args), 2):  # placeholders no argument filled
        text = text.replace("{" + str(i) + "}", "")
    return text.replace("workflow", "process") if legacy else text


def _format(arg: object) -> str:
    """Java's MessageFormat groups the digits of a number argument: `191,239,575,273,472`
    (real 3.2.2 and dev); strings are left alone."""
    if isinstance(arg, int) and not isinstance(arg, bool):
        return f"{arg:,}"
    return str(arg)


class ApiError(Exception):
    """A business failure. `thrown` errors answer HTTP 200 whatever the endpoint's status;
    returned ones (thrown=False) keep the endpoint's status (201 on the CREATED endpoints)."""

    def __init__(self, code: int, *args: object, thrown: bool = True) -> None:
        super().__init__(code, *args)
        self.code = code
        self.args_ = args
        self.thrown = thrown


class MissingParam(Exception):
    """A required parameter is absent or does not convert: answered with the endpoint's
    generic code, as Spring's exception handler does."""

    def __init__(self, name: str, detail: str = "") -> None:
        super().__init__(name)
        self.name = name
        self.detail = detail or f"Required request parameter '{name}' is not present"
