"""OnPremPipeline: a project's seven-step pipeline as Argo Workflows objects in the platform namespace.

Argo Workflows (and, for the drift trigger, Argo Events) are installed on the cluster by the
platform team, like KServe (docs/onprem.md). This component declares, in the platform's
namespace: a WorkflowTemplate whose DAG runs ingest → validate → features → train → evaluate →
register → monitor, one pod per step, each under the namespace's restrictions (the hardening
helpers) with the project's image from the site registry; a CronWorkflow retraining on the
age schedule; the executor's service account and Role; the artifact repository (the site's
MinIO); a NetworkPolicy letting the executor reach the Kubernetes API; and, when asked, the
drift trigger (pipeline_drift.py). Register only registers (PendingManualApproval, in the
on-prem MLflow): nothing here deploys a model.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pulumi
import pulumi_kubernetes as k8s

from qantara.components.base import QantaraComponent
from qantara.components.onprem import hardening
from qantara.components.onprem.hardening import Size
from qantara.components.onprem.naming import component_labels, k8s_name, label_value
from qantara.components.onprem.objects import env, metadata
from qantara.components.onprem.pipeline_drift import KUBE_API_LABEL, DriftTrigger, DriftTriggerArgs, kube_api_egress
from qantara.components.onprem.pipeline_schedule import age_schedule

TYPE_TOKEN = "qantara:onprem_pipeline:OnPremPipeline"
ARGO_API = "argoproj.io/v1alpha1"
STEPS = ("ingest", "validate", "features", "train", "evaluate", "register", "monitor")
# Where a step's pod keeps the run (the previous steps' outputs, passed as an artifact) and
# the training data; an emptyDir, since the root filesystem is read-only.
WORK_DIR = "/work"
RUN_DIR = f"{WORK_DIR}/run"
DATA_PATH = f"{WORK_DIR}/data/training-data.csv"
WORK_VOLUME = "work"
WORK_SIZE = "10Gi"
# A step pod's size; the namespace's LimitRange caps it.
STEP_SIZE = {False: Size("500m", "1Gi", "2", "4Gi"), True: Size("1", "2Gi", "4", "8Gi")}
REASONS = ("person", "schedule", "drift")
# The Argo executor's minimum for Argo >= 3.4 (docs/workflow-rbac.md, v4.1.2): it records
# each step's outputs in a WorkflowTaskResult. Nothing else: no pods, no secrets.
EXECUTOR_RULES = [{"apiGroups": ["argoproj.io"], "resources": ["workflowtaskresults"], "verbs": ["create", "patch"]}]


@dataclass
class OnPremPipelineArgs:
    # The project's name as a DNS label (objects are named after it).
    project: str
    namespace: pulumi.Input[str]
    registry: str
    # The project's image in the site registry: `<registry>/<image_repository>:<image_tag>`.
    image_repository: str
    image_tag: str
    # What a step's container runs; `--step <name> --run-dir ... --reason ... --why ...` follow.
    step_command: list[str]
    tracking_uri: pulumi.Input[str]
    # MinIO's Service URL (the platform's `onPremObjectStorageEndpoint`) and a Secret holding
    # AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY of a MinIO user limited to the platform's buckets.
    object_storage_endpoint: pulumi.Input[str]
    credentials_secret: pulumi.Input[str]
    max_model_age_days: int
    production: bool = False
    artifacts_bucket: str = "artifacts"
    data_bucket: str = "curated"
    data_key: str = "training/data.csv"
    # Address ranges of the Kubernetes API server (its endpoints, not the Service IP, which
    # NetworkPolicies do not see after NAT); none: the platform team allows that egress.
    kube_api_cidrs: list[str] = field(default_factory=list)
    drift: DriftTriggerArgs | None = None
    data_classification: str = "restricted"
    labels: dict[str, str] = field(default_factory=dict)


def step_arguments(step: str) -> list[str]:
    args = ["--step", step, "--run-dir", RUN_DIR, "--reason", "{{workflow.parameters.trigger}}",
            "--why", "{{workflow.parameters.why}}"]
    return [*args, "--data", DATA_PATH] if step == "ingest" else args


def dag(steps: tuple[str, ...] = STEPS) -> dict:
    """The DAG: each step after the first depends on the one before and gets its run artifact."""
    tasks = [{"name": steps[0], "template": steps[0]}]
    for previous, step in zip(steps, steps[1:]):
        tasks.append({"name": step, "template": step, "depends": f"{previous}.Succeeded",
                      "arguments": {"artifacts": [{"name": "run", "from": f"{{{{tasks.{previous}.outputs.artifacts.run}}}}"}]}})
    return {"name": "pipeline", "dag": {"tasks": tasks}}


def s3_location(endpoint: str, bucket: str, secret: str) -> dict:
    """Where in the site's MinIO, and with which credentials (Argo's S3 artifact fields)."""
    return {
        "endpoint": endpoint.split("://", 1)[-1].rstrip("/"),
        "bucket": bucket,
        # MinIO's Service speaks plain HTTP inside the namespace (docs/onprem.md, Network).
        "insecure": endpoint.startswith("http://"),
        "accessKeySecret": {"name": secret, "key": "AWS_ACCESS_KEY_ID"},
        "secretKeySecret": {"name": secret, "key": "AWS_SECRET_ACCESS_KEY"},
    }


def artifact_repository(endpoint: str, bucket: str, secret: str, project: str) -> str:
    """The artifact repository entry (Argo's ArtifactRepository, as YAML; JSON is YAML)."""
    return json.dumps({"s3": {
        **s3_location(endpoint, bucket, secret),
        # SSE-S3 on every object, on top of MinIO's own auto-encryption.
        "encryptionOptions": {"enableEncryption": True},
        "keyFormat": f"pipelines/{project}/{{{{workflow.name}}}}/{{{{pod.name}}}}",
    }}, sort_keys=True)


class OnPremPipeline(QantaraComponent):
    """The project's pipeline on the site's Argo Workflows (see the module docstring)."""

    def __init__(self, name: str, args: OnPremPipelineArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(TYPE_TOKEN, name, {"dataClassification": args.data_classification}, opts)
        self._name, self._args = name, args
        self.labels = component_labels(args.labels, name=args.project, instance=name, component="pipeline",
                                       data_classification=args.data_classification)
        self.template_name = k8s_name(args.project, "pipeline")
        self.service_account_name = k8s_name(args.project, "pipeline")
        self.repository_config_name = k8s_name(args.project, "artifact-repository")
        self.executor = self._executor_rbac()
        self.repository = self._artifact_repository()
        self.default_deny = self._default_deny()
        self.egress = (kube_api_egress(f"{name}-kube-api", k8s_name(args.project, "pipeline-kube-api"), args.namespace,
                                       self.labels, {KUBE_API_LABEL: label_value(args.project)}, args.kube_api_cidrs, self)
                       if args.kube_api_cidrs else None)
        after = pulumi.ResourceOptions(parent=self, depends_on=[*self.executor, self.repository])
        self.workflow_template = self._custom(f"{name}-template", "WorkflowTemplate", self.template_name,
                                              self._workflow_spec(), after)
        self.schedule = age_schedule(args.max_model_age_days)
        self.cron_workflow = self._custom(f"{name}-age-schedule", "CronWorkflow", k8s_name(args.project, "retrain-on-age"),
                                          self._cron_spec(), pulumi.ResourceOptions(parent=self,
                                                                                    depends_on=[self.workflow_template]))
        self.drift_trigger = None
        if args.drift is not None:
            self.drift_trigger = DriftTrigger(f"{name}-drift", args.drift, project=args.project,
                                              namespace=args.namespace, template_name=self.template_name,
                                              labels=self.labels, opts=pulumi.ResourceOptions(
                                                  parent=self, depends_on=[self.workflow_template]))
        self.register_outputs({"workflowTemplate": self.template_name, "schedule": self.schedule.cron})

    def _meta(self, object_name: str, labels: dict[str, str] | None = None) -> k8s.meta.v1.ObjectMetaArgs:
        return metadata(object_name, self._args.namespace, labels or self.labels)

    def _custom(self, logical: str, kind: str, object_name: str, spec: dict,
                opts: pulumi.ResourceOptions) -> k8s.apiextensions.CustomResource:
        return k8s.apiextensions.CustomResource(logical, api_version=ARGO_API, kind=kind,
                                                metadata=self._meta(object_name), spec=spec, opts=opts)

    def _executor_rbac(self) -> list[pulumi.Resource]:
        """The pods' service account: its token reaches only the executor (automount off in the
        workflow), and its Role only records step results."""
        name, sa = self._name, self.service_account_name
        child = pulumi.ResourceOptions(parent=self)
        account = k8s.core.v1.ServiceAccount(f"{name}-service-account", metadata=self._meta(sa),
                                             automount_service_account_token=False, opts=child)
        role = k8s.rbac.v1.Role(f"{name}-executor-role", metadata=self._meta(f"{sa}-executor"),
                                rules=EXECUTOR_RULES, opts=child)
        binding = k8s.rbac.v1.RoleBinding(
            f"{name}-executor-binding", metadata=self._meta(f"{sa}-executor"),
            role_ref=k8s.rbac.v1.RoleRefArgs(api_group="rbac.authorization.k8s.io", kind="Role", name=f"{sa}-executor"),
            subjects=[k8s.rbac.v1.SubjectArgs(kind="ServiceAccount", name=sa, namespace=self._args.namespace)],
            opts=pulumi.ResourceOptions(parent=self, depends_on=[account, role]))
        return [account, role, binding]

    def _default_deny(self) -> k8s.networking.v1.NetworkPolicy:
        """The platform namespace denies all traffic by default already; this copy lets the
        project's own plan show it (QA-KUBE-006) and changes nothing, since network policies
        only ever add allowances."""
        return k8s.networking.v1.NetworkPolicy(
            f"{self._name}-default-deny", metadata=self._meta(k8s_name(self._args.project, "default-deny")),
            spec=k8s.networking.v1.NetworkPolicySpecArgs(pod_selector=k8s.meta.v1.LabelSelectorArgs(),
                                                         policy_types=["Ingress", "Egress"]),
            opts=pulumi.ResourceOptions(parent=self))

    def _artifact_repository(self) -> k8s.core.v1.ConfigMap:
        args = self._args
        entry = pulumi.Output.all(args.object_storage_endpoint, args.credentials_secret).apply(
            lambda values: artifact_repository(values[0], args.artifacts_bucket, values[1], args.project))
        return k8s.core.v1.ConfigMap(f"{self._name}-artifact-repository", metadata=self._meta(self.repository_config_name),
                                     data={"minio": entry}, opts=pulumi.ResourceOptions(parent=self))

    def _step(self, step: str) -> dict:
        args = self._args
        variables = {"HOME": "/tmp", "QANTARA_PIPELINE_STEP": step}
        if step == "register":
            # The on-prem MLflow registry; the version it creates waits for a person's approval.
            variables["MLFLOW_TRACKING_URI"] = args.tracking_uri
        container = hardening.container(
            "main",
            hardening.image(args.registry, args.image_repository, args.image_tag),
            STEP_SIZE[args.production],
            command=list(args.step_command),
            args=step_arguments(step),
            env=env(variables),
            volume_mounts=[k8s.core.v1.VolumeMountArgs(name=WORK_VOLUME, mount_path=WORK_DIR)],
        )
        run = {"name": "run", "path": RUN_DIR}
        if step == STEPS[0]:
            # A full location: Argo would read a key-only artifact from the artifacts bucket.
            location = pulumi.Output.all(args.object_storage_endpoint, args.credentials_secret).apply(
                lambda values: {**s3_location(values[0], args.data_bucket, values[1]),
                                "key": "{{workflow.parameters.data-key}}"})
            inputs = {"artifacts": [{"name": "data", "path": DATA_PATH, "s3": location}]}
        else:
            inputs = {"artifacts": [run]}
        return {"name": step, "inputs": inputs, "outputs": {"artifacts": [run]}, "container": container}

    def _workflow_spec(self) -> dict:
        args = self._args
        return {
            "entrypoint": "pipeline",
            "arguments": {"parameters": [
                {"name": "trigger", "value": "person", "enum": list(REASONS),
                 "description": "What started the run (recorded in its lineage)"},
                {"name": "why", "value": "", "description": "Why, in a sentence (recorded in its lineage)"},
                {"name": "data-key", "value": args.data_key,
                 "description": f"Object key of the training data (CSV) in the {args.data_bucket} bucket"},
            ]},
            "serviceAccountName": self.service_account_name,
            # The steps get no token; the executor gets its service account's (Argo mounts it there).
            "automountServiceAccountToken": False,
            "executor": {"serviceAccountName": self.service_account_name},
            "securityContext": hardening.pod_security_context(),
            "podMetadata": {"labels": {**self.labels, KUBE_API_LABEL: args.project}},
            "artifactRepositoryRef": {"configMap": self.repository_config_name, "key": "minio"},
            "volumes": [hardening.tmp_volume(), k8s.core.v1.VolumeArgs(
                name=WORK_VOLUME, empty_dir=k8s.core.v1.EmptyDirVolumeSourceArgs(size_limit=WORK_SIZE))],
            # One run at a time: a drift alert during a scheduled run waits for it.
            "synchronization": {"mutexes": [{"name": self.template_name}]},
            "activeDeadlineSeconds": 6 * 3600,
            # Finished pods hold quota until deleted; failed ones stay for their logs.
            "podGC": {"strategy": "OnPodSuccess"},
            "ttlStrategy": {"secondsAfterCompletion": 7 * 24 * 3600},
            "templates": [dag(), *(self._step(step) for step in STEPS)],
        }

    def _cron_spec(self) -> dict:
        days = self._args.max_model_age_days
        return {
            "schedules": [self.schedule.cron],
            "timezone": "UTC",
            "concurrencyPolicy": "Forbid",
            "startingDeadlineSeconds": 3600,
            "successfulJobsHistoryLimit": 3,
            "failedJobsHistoryLimit": 3,
            "workflowMetadata": {"labels": self.labels},
            "workflowSpec": {
                "workflowTemplateRef": {"name": self.template_name},
                "arguments": {"parameters": [
                    {"name": "trigger", "value": "schedule"},
                    {"name": "why", "value": f"scheduled retraining: a model may serve at most {days} days after "
                                             f"its training (spec.governance.maxModelAgeDays)"},
                ]},
            },
        }
