"""The pydolphinscheduler YAML dialect as data: workflow keys, common task keys, task types.

Taken from the SDK's constructors (apache/dolphinscheduler-sdk-python, `tasks/*.py`,
`core/workflow.py`, `core/task.py`): each task type lists its kwargs, which are required,
their value kinds and the DolphinScheduler `taskParams` key each one becomes.
Kinds: text (a scalar, kept as a string), int, num, bool, map, list, stmts (string or
list of strings), strs (list of strings), scalar (a string or a number, sent as written: a
DolphinScheduler `String` field that pydolphinscheduler fills with a number, so `${x}` is valid).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Key:
    name: str
    kind: str = "text"
    param: str | None = None  # taskParams key; None: handled by the builder
    required: bool = False
    enum: tuple[str, ...] = ()
    any_case: bool = False  # enum matched case-insensitively, normalised to upper case
    default: Any = None  # written into taskParams when the key is absent (None: omitted)


@dataclass(frozen=True, slots=True)
class TaskType:
    name: str  # the SDK class name, as `task_type` is matched (str.capitalize())
    ds_type: str
    keys: tuple[Key, ...] = ()
    worker_resource: bool = False  # accepts cpu_quota / memory_max
    logic: bool = False  # Switch / Condition / Dependent: special parser, common keys dropped
    fixed: dict[str, Any] = field(default_factory=dict)
    script_key: str | None = None  # key whose text must not end in a file extension
    script_exts: tuple[str, ...] = ()

    @property
    def by_name(self) -> dict[str, Key]:
        return _BY_NAME[self.name]


WORKFLOW_KEYS: dict[str, Key] = {k.name: k for k in (
    Key("name", required=True),
    Key("description"),
    Key("schedule"),
    Key("online_schedule", "bool"),
    Key("start_time"),
    Key("end_time"),
    Key("timezone"),
    Key("user"),
    Key("project"),
    Key("worker_group"),
    Key("warning_type", enum=("NONE", "SUCCESS", "FAILURE", "ALL"), any_case=True),
    Key("warning_group_id", "int"),
    Key("execution_type", enum=("PARALLEL", "SERIAL_WAIT", "SERIAL_DISCARD",
                                "SERIAL_PRIORITY"), any_case=True),
    Key("timeout", "int"),
    Key("release_state"),
    Key("param", "map"),
    Key("run", "bool"),
)}

COMMON_KEYS: dict[str, Key] = {k.name: k for k in (
    Key("name", required=True),
    Key("task_type", required=True),
    Key("deps", "strs"),
    Key("description"),
    Key("flag", enum=("YES", "NO")),
    Key("task_priority", enum=("HIGHEST", "HIGH", "MEDIUM", "LOW", "LOWEST")),
    Key("worker_group"),
    Key("environment_name"),
    Key("task_group_id", "int"),
    Key("task_group_priority", "int"),
    Key("delay_time", "int"),
    Key("fail_retry_times", "int"),
    Key("fail_retry_interval", "int"),
    Key("timeout_notify_strategy", enum=("WARN", "FAILED", "WARNFAILED")),
    Key("timeout", "int"),
    Key("is_cache", "bool"),
    Key("resource_list", "strs"),
    Key("input_params", "map"),
    Key("output_params", "map"),
    Key("local_params", "list"),
)}
WORKER_RESOURCE_KEYS = {"cpu_quota": Key("cpu_quota", "int"),
                        "memory_max": Key("memory_max", "int")}
LOGIC_KEYS = frozenset({"name", "task_type", "deps"})

_PROGRAM = ("JAVA", "SCALA", "PYTHON")
_DATE_VALUES = (
    "currentHour", "last1Hour", "last2Hours", "last3Hours", "last24Hours", "today",
    "last1Days", "last2Days", "last3Days", "last7Days", "thisWeek", "lastWeek", "lastMonday",
    "lastTuesday", "lastWednesday", "lastThursday", "lastFriday", "lastSaturday", "lastSunday",
    "thisMonth", "lastMonth", "lastMonthBegin", "lastMonthEnd",
)
# DependentDate attribute names (LAST_WEDNESDAY) -> values (lastWednesday), as the SDK has them
DEPENDENT_DATE_KEYS = {
    "CURRENT_HOUR": "currentHour", "LAST_ONE_HOUR": "last1Hour", "LAST_TWO_HOURS": "last2Hours",
    "LAST_THREE_HOURS": "last3Hours", "LAST_TWENTY_FOUR_HOURS": "last24Hours", "TODAY": "today",
    "LAST_ONE_DAYS": "last1Days", "LAST_TWO_DAYS": "last2Days", "LAST_THREE_DAYS": "last3Days",
    "LAST_SEVEN_DAYS": "last7Days", "THIS_WEEK": "thisWeek", "LAST_WEEK": "lastWeek",
    "LAST_MONDAY": "lastMonday", "LAST_TUESDAY": "lastTuesday",
    "LAST_WEDNESDAY": "lastWednesday", "LAST_THURSDAY": "lastThursday",
    "LAST_FRIDAY": "lastFriday", "LAST_SATURDAY": "lastSaturday", "LAST_SUNDAY": "lastSunday",
    "THIS_MONTH": "thisMonth", "LAST_MONTH": "lastMonth", "LAST_MONTH_BEGIN": "lastMonthBegin",
    "LAST_MONTH_END": "lastMonthEnd",
}
DATE_VALUES = frozenset(_DATE_VALUES)


def _engine(*extra: Key) -> tuple[Key, ...]:
    return (
        Key("main_class", param="mainClass", required=True),
        Key("main_package", param=None, required=True),  # -> mainJar {resourceName}
        Key("program_type", param="programType", enum=_PROGRAM, default="SCALA"),
        Key("app_name", param="appName"),
        Key("main_args", param="mainArgs"),
        Key("others", param="others"),
        *extra,
    )


def _mlflow(*extra: Key) -> tuple[Key, ...]:
    return (Key("mlflow_tracking_uri", param="mlflowTrackingUri",
                default="http://127.0.0.1:5000"), *extra)


TASK_TYPES: tuple[TaskType, ...] = (
    TaskType("Shell", "SHELL", (Key("command", param="rawScript", required=True),),
             worker_resource=True, script_key="command", script_exts=(".sh", ".zsh")),
    TaskType("Python", "PYTHON", (Key("definition", param="rawScript", required=True),),
             worker_resource=True, script_key="definition", script_exts=(".py",)),
    TaskType("Sql", "SQL", (
        Key("datasource_name", param=None, required=True),
        Key("sql", param="sql", required=True),
        Key("datasource_type", param=None),
        Key("sql_type", param=None, enum=("0", "1")),
        Key("pre_statements", "stmts", param="preStatements", default=[]),
        Key("post_statements", "stmts", param="postStatements", default=[]),
        Key("display_rows", "int", param="displayRows", default=10),
    ), script_key="sql", script_exts=(".sql",)),
    TaskType("Procedure", "PROCEDURE", (
        Key("datasource_name", param=None, required=True),
        Key("method", param="method", required=True),
        Key("datasource_type", param=None),
    )),
    TaskType("Http", "HTTP", (
        Key("url", param="url", required=True),
        Key("http_method", param="httpMethod", enum=("GET", "POST", "HEAD", "PUT", "DELETE"),
            default="GET"),
        Key("http_params", "map", param=None),
        Key("http_check_condition", param="httpCheckCondition", default="STATUS_CODE_DEFAULT",
            enum=("STATUS_CODE_DEFAULT", "STATUS_CODE_CUSTOM", "BODY_CONTAINS",
                  "BODY_NOT_CONTAINS")),
        Key("condition", param="condition"),
        Key("connect_timeout", "int", param="connectTimeout", default=60000),
        Key("socket_timeout", "int", param="socketTimeout", default=60000),
    )),
    TaskType("SubWorkflow", "SUB_WORKFLOW", (Key("workflow_name", param=None, required=True),)),
    TaskType("SubProcess", "SUB_WORKFLOW",
             (Key("process_definition_name", param=None, required=True),)),
    TaskType("Spark", "SPARK", _engine(
        Key("deploy_mode", param="deployMode", enum=("local", "client", "cluster"),
            default="cluster"),
        Key("driver_cores", "int", param="driverCores", default=1),
        Key("driver_memory", param="driverMemory", default="512M"),
        Key("num_executors", "int", param="numExecutors", default=2),
        Key("executor_memory", param="executorMemory", default="2G"),
        Key("executor_cores", "int", param="executorCores", default=2),
    )),
    TaskType("Flink", "FLINK", _engine(
        Key("deploy_mode", param="deployMode", enum=("local", "cluster"), default="cluster"),
        Key("flink_version", param="flinkVersion", enum=("<1.10", ">=1.10"), default="<1.10"),
        Key("job_manager_memory", param="jobManagerMemory", default="1G"),
        Key("task_manager_memory", param="taskManagerMemory", default="2G"),
        Key("slot", "int", param="slot", default=1),
        Key("task_manager", "int", param="taskManager", default=2),
        Key("parallelism", "int", param="parallelism", default=1),
    )),
    TaskType("MR", "MR", _engine()),
    TaskType("DataX", "DATAX", (
        Key("datasource_name", param=None, required=True),
        Key("datatarget_name", param=None, required=True),
        Key("sql", param="sql", required=True),
        Key("target_table", param="targetTable", required=True),
        Key("datasource_type", param=None),
        Key("datatarget_type", param=None),
        Key("job_speed_byte", "int", param="jobSpeedByte", default=0),
        Key("job_speed_record", "int", param="jobSpeedRecord", default=1000),
        Key("pre_statements", "stmts", param="preStatements", default=[]),
        Key("post_statements", "stmts", param="postStatements", default=[]),
        Key("xms", "int", param="xms", default=1),
        Key("xmx", "int", param="xmx", default=1),
    ), worker_resource=True, fixed={"customConfig": 0}, script_key="sql",
       script_exts=(".sql",)),
    TaskType("CustomDataX", "DATAX", (
        Key("json", param="json", required=True),
        Key("xms", "int", param="xms", default=1),
        Key("xmx", "int", param="xmx", default=1),
    ), worker_resource=True, fixed={"customConfig": 1}, script_key="json",
       script_exts=(".json",)),
    TaskType("Kubernetes", "K8S", (
        Key("image", param="image", required=True),
        Key("namespace", param="namespace", required=True),
        Key("min_cpu_cores", "num", param="minCpuCores", required=True),
        Key("min_memory_space", "num", param="minMemorySpace", required=True),
    )),
    TaskType("OpenMLDB", "OPENMLDB", (
        Key("zookeeper", param="zk", required=True),
        Key("zookeeper_path", param="zkPath", required=True),
        Key("execute_mode", param="executeMode", required=True, enum=("offline", "online")),
        Key("sql", param="sql", required=True),
    )),
    TaskType("Pytorch", "PYTORCH", (
        Key("script", param="script", required=True),
        Key("script_params", param="scriptParams", default=""),
        Key("project_path", param="pythonPath", default="."),
        Key("is_create_environment", "bool", param="isCreateEnvironment", default=False),
        Key("python_command", param="pythonCommand", default="${PYTHON_HOME}"),
        Key("python_env_tool", param="pythonEnvTool", enum=("conda", "virtualenv"),
            default="conda"),
        Key("requirements", param="requirements", default="requirements.txt"),
        Key("conda_python_version", param="condaPythonVersion", default="3.7"),
    ), worker_resource=True),
    TaskType("SageMaker", "SAGEMAKER",
             (Key("sagemaker_request_json", param="sagemakerRequestJson", required=True),)),
    TaskType("DVCInit", "DVC", (
        Key("repository", param="dvcRepository", required=True),
        Key("store_url", param="dvcStoreUrl", required=True),
    ), fixed={"dvcTaskType": "Init DVC"}),
    TaskType("DVCUpload", "DVC", (
        Key("repository", param="dvcRepository", required=True),
        Key("data_path_in_worker", param="dvcDataLocation", required=True),
        Key("data_path_in_dvc_repository", param="dvcLoadSaveDataPath", required=True),
        Key("version", param="dvcVersion", required=True),
        Key("message", param="dvcMessage", required=True),
    ), fixed={"dvcTaskType": "Upload"}),
    TaskType("DVCDownload", "DVC", (
        Key("repository", param="dvcRepository", required=True),
        Key("data_path_in_dvc_repository", param="dvcLoadSaveDataPath", required=True),
        Key("data_path_in_worker", param="dvcDataLocation", required=True),
        Key("version", param="dvcVersion", required=True),
    ), fixed={"dvcTaskType": "Download"}),
    TaskType("MLFlowProjectsCustom", "MLFLOW", _mlflow(
        Key("repository", param="mlflowProjectRepository", required=True),
        Key("experiment_name", param="experimentName", default=""),
        Key("parameters", param="params", default=""),
        Key("version", param="mlflowProjectVersion", default="master"),
    ), fixed={"mlflowTaskType": "MLflow Projects", "mlflowJobType": "CustomProject"}),
    TaskType("MLFlowProjectsAutoML", "MLFLOW", _mlflow(
        Key("data_path", param="dataPath", required=True),
        Key("automl_tool", param="automlTool", enum=("autosklearn", "flaml"), default="flaml"),
        Key("experiment_name", param="experimentName", default=""),
        Key("model_name", param="modelName", default=""),
        Key("parameters", param="params", default=""),
    ), fixed={"mlflowTaskType": "MLflow Projects", "mlflowJobType": "AutoML"}),
    TaskType("MLFlowProjectsBasicAlgorithm", "MLFLOW", _mlflow(
        Key("data_path", param="dataPath", required=True),
        Key("algorithm", param="algorithm", default="lightgbm"),
        Key("experiment_name", param="experimentName", default=""),
        Key("model_name", param="modelName", default=""),
        Key("parameters", param="params", default=""),
        Key("search_params", param="searchParams", default=""),
    ), fixed={"mlflowTaskType": "MLflow Projects", "mlflowJobType": "BasicAlgorithm"}),
    TaskType("MLflowModels", "MLFLOW", _mlflow(
        Key("model_uri", param="deployModelKey", required=True),
        Key("deploy_mode", param="deployType", enum=("MLFLOW", "DOCKER"), default="DOCKER"),
        Key("port", "scalar", param="deployPort", default=7000),
    ), fixed={"mlflowTaskType": "MLflow Models"}),
    TaskType("Switch", "SWITCH", (Key("condition", "list", required=True),), logic=True),
    TaskType("Condition", "CONDITIONS", (
        Key("success_task", required=True),
        Key("failed_task", required=True),
        Key("op", required=True),
        Key("groups", "list", required=True),
    ), logic=True),
    TaskType("Dependent", "DEPENDENT", (
        Key("op", required=True),
        Key("groups", "list", required=True),
    ), logic=True),
)

_BY_NAME: dict[str, dict[str, Key]] = {t.name: {k.name: k for k in t.keys} for t in TASK_TYPES}
BY_CAPITALIZED: dict[str, TaskType] = {t.name.capitalize(): t for t in TASK_TYPES}
# DolphinScheduler's own type names, to point a writer of `K8S` to `Kubernetes`
DS_ALIASES: dict[str, str] = {
    "K8S": "Kubernetes", "SUB_WORKFLOW": "SubWorkflow", "SUB_PROCESS": "SubWorkflow",
    "CONDITIONS": "Condition", "MAPREDUCE": "MR", "DVC": "DVCInit",
    "MLFLOW": "MLFlowProjectsCustom", "SAGE_MAKER": "SageMaker",
}


def lookup(task_type: str) -> TaskType | None:
    """The dialect's case rule: compare `str.capitalize()` forms."""
    return BY_CAPITALIZED.get(task_type.capitalize())
