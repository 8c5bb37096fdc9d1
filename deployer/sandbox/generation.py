"""The names that differ between the API generations (3.1/3.2 "process", 3.3+ "workflow")."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["VERSIONS", "Generation"]

VERSIONS = ("3.1", "3.2", "3.3", "3.4")

_G1_TYPES = (
    "SHELL PYTHON PROCEDURE SQL SPARK FLINK HTTP MR DINKY FLINK_STREAM HIVECLI EMR K8S "
    "SUB_PROCESS DEPENDENT CONDITIONS SWITCH NEXT_LOOP SURVEIL SEATUNNEL DATAX SQOOP "
    "DATA_QUALITY JUPYTER MLFLOW OPENMLDB DVC SAGEMAKER PYTORCH PIGEON ZEPPELIN CHUNJUN"
)
_G2_TYPES = (
    "SHELL PYTHON PROCEDURE SQL SPARK FLINK HTTP MR DINKY FLINK_STREAM HIVECLI JAVA REMOTESHELL "
    "EMR K8S DMS DATA_FACTORY SUB_PROCESS DEPENDENT CONDITIONS SWITCH DYNAMIC SEATUNNEL DATAX "
    "SQOOP DATA_QUALITY JUPYTER MLFLOW OPENMLDB DVC SAGEMAKER PYTORCH KUBEFLOW PIGEON ZEPPELIN "
    "CHUNJUN DATASYNC LINKIS"
)
_G33_TYPES = (
    "SHELL PYTHON PROCEDURE SQL SPARK FLINK HTTP MR DINKY FLINK_STREAM HIVECLI JAVA REMOTESHELL "
    "EMR K8S DMS DATA_FACTORY ALIYUN_SERVERLESS_SPARK SUB_WORKFLOW DEPENDENT CONDITIONS SWITCH "
    "DYNAMIC SEATUNNEL DATAX SQOOP DATA_QUALITY JUPYTER MLFLOW OPENMLDB DVC SAGEMAKER PYTORCH "
    "KUBEFLOW ZEPPELIN CHUNJUN DATASYNC LINKIS"
)
_G34_TYPES = (
    "SHELL JAVA PYTHON PROCEDURE SQL SPARK FLINK GRPC HTTP MR DINKY FLINK_STREAM HIVECLI "
    "REMOTESHELL EMR K8S DMS DATA_FACTORY ALIYUN_SERVERLESS_SPARK SUB_WORKFLOW DEPENDENT "
    "CONDITIONS SWITCH SEATUNNEL DATAX SQOOP JUPYTER MLFLOW OPENMLDB DVC SAGEMAKER KUBEFLOW "
    "ZEPPELIN CHUNJUN DATASYNC LINKIS"
)
_TYPES = {"3.1": _G1_TYPES, "3.2": _G2_TYPES, "3.3": _G33_TYPES, "3.4": _G34_TYPES}


@dataclass(frozen=True)
class Generation:
    version: str

    def __post_init__(self) -> None:
        if self.version not in VERSIONS:
            raise ValueError(f"unknown API version {self.version!r}; use one of {VERSIONS}")

    @property
    def g1(self) -> bool:
        return self.version == "3.1"

    @property
    def g3(self) -> bool:
        return self.version in ("3.3", "3.4")

    @property
    def wd(self) -> str:
        return "workflow-definition" if self.g3 else "process-definition"

    @property
    def code_key(self) -> str:
        """Form field, schedule and relation JSON key naming a workflow code."""
        return "workflowDefinitionCode" if self.g3 else "processDefinitionCode"

    @property
    def name_key(self) -> str:
        return "workflowDefinitionName" if self.g3 else "processDefinitionName"

    @property
    def version_key(self) -> str:
        return "workflowDefinitionVersion" if self.g3 else "processDefinitionVersion"

    @property
    def priority_key(self) -> str:
        return "workflowInstancePriority" if self.g3 else "processInstancePriority"

    @property
    def verify_code_key(self) -> str:
        return "workflowDefinitionCode" if self.g3 else "code"

    @property
    def sub_type(self) -> str:
        return "SUB_WORKFLOW" if self.g3 else "SUB_PROCESS"

    @property
    def dag_def_key(self) -> str:
        return "workflowDefinition" if self.g3 else "processDefinition"

    @property
    def dag_rel_key(self) -> str:
        return "workflowTaskRelationList" if self.g3 else "processTaskRelationList"

    @property
    def task_types(self) -> frozenset[str]:
        return frozenset(_TYPES[self.version].split())
