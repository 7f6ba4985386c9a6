"""MlPipeline: a project's seven-step SageMaker pipeline, and the drift and age triggers that retrain it.

The pipeline runs where the platform is (the caller's provider, in the placed region), in the
project's image from the platform's repository, on the platform's network, key and buckets
(ml_pipeline_definition), and its last step writes the drift baseline the model's
DriftMonitoring reads. It only registers models `PendingManualApproval`: nothing it trains
is deployed without a person. Two things start it besides a person: the platform's drift
alarms of the project's model going to ALARM (an EventBridge rule), and a schedule that
retrains before the model reaches the blueprint's maximum age (EventBridge Scheduler).
The drift rule matches the alarms by the prefix the platform names them with; a platform that
does not monitor the model has no such alarm yet, and the rule waits for one.

Given the platform's tracking server (tracking_server_arn, a SageMaker MLflow server in the
pipeline's account and region), each run is also logged to MLflow by a track step running as its
own role (ml_pipeline_definition, TRACK_STEP); a server anywhere else stops the deployment.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from qantara.catalog import load_catalog
from qantara.components.base import QantaraComponent
from qantara.components.drift_monitoring import DRIFT_METRIC_PREFIX, DRIFT_NAMESPACE, IMAGES_CATALOG, drift_alarm_prefix
from qantara.components.iam_documents import check_role_name
from qantara.components.identity import StackIdentity
from qantara.components.ml_pipeline_access import (
    pipeline_arn,
    pipeline_role_policy,
    pipeline_trust_policy,
    start_pipeline_policy,
    track_role_policy,
    trigger_trust_policy,
)
from qantara.components.ml_pipeline_definition import (
    TRIGGER_PARAMETER,
    PipelinePlace,
    definition_json,
    tracking_problem,
)
from qantara.components.model_serving import endpoint_name
from qantara.errors import QantaraError
from qantara.naming import check_name, sagemaker_name

TYPE_TOKEN = "qantara:ml_pipeline:MlPipeline"
ALARM_STATE_CHANGE = "CloudWatch Alarm State Change"
# Days a person has to review and approve a retrained model before the one it replaces
# reaches its maximum age: retraining starts this long before (at most half the age).
APPROVAL_LEAD_DAYS = 14


@dataclass
class MlPipelineArgs:
    project: str
    package: str
    # Its region and account may be Outputs (a project reads its platform's region from the
    # platform stack); the pipeline waits for them, as for the platform's other outputs.
    identity: StackIdentity
    image_uri: pulumi.Input[str]
    kms_key_arn: pulumi.Input[str]
    subnet_ids: pulumi.Input[list]
    security_group_ids: pulumi.Input[list]
    # The platform's data lake: training data under curated/<group>/training/, step outputs
    # and models under the artifacts bucket's project prefixes.
    data_bucket: pulumi.Input[str]
    artifacts_bucket: pulumi.Input[str]
    # The model's name in the blueprint, and its model package group on the platform.
    model_name: str
    model_package_group: pulumi.Input[str]
    data_classification: str
    max_model_age_days: int
    # The bucket the model's DriftMonitoring reads its baseline from (its monitoring_bucket):
    # the pipeline's baseline step writes it there.
    monitoring_bucket: pulumi.Input[str]
    instance_type: str = "ml.m5.large"
    # The platform's SageMaker MLflow tracking server (its trackingUri export), when the project's
    # runs are logged to it; None: no track step. It must be in the pipeline's account and region.
    tracking_server_arn: pulumi.Input[str] | None = None
    tags: dict[str, str] = field(default_factory=dict)


def retraining_interval_days(max_model_age_days: int) -> int:
    """Retrain early enough that the new model can be approved before the old one is too old."""
    if max_model_age_days < 1:
        raise QantaraError(f"maxModelAgeDays {max_model_age_days} must be at least 1")
    return max(1, max_model_age_days - min(APPROVAL_LEAD_DAYS, max_model_age_days // 2))


def analyzer_doubt(region: str) -> str | None:
    """The warning to give when the baseline step's analyzer image of `region` is marked uncertain
    in the catalog (as DriftMonitoring warns for its schedule), else None."""
    registry = (load_catalog().get(IMAGES_CATALOG) or {}).get("registries", {}).get(region) or {}
    if registry.get("certainty") != "uncertain":
        return None
    return (f"the Model Monitor image account for {region} is marked uncertain in policies/data/{IMAGES_CATALOG}.yaml; "
            "confirm it before relying on the pipeline's drift baseline")


def drift_event_pattern(alarm_prefix: str, endpoint: str) -> str:
    """The model's drift alarms entering ALARM, and nothing else: not OK, not its latency or
    5xx alarms, not another model's (the event carries the alarm's metric, whose namespace,
    name and Endpoint dimension DriftMonitoring sets)."""
    if not alarm_prefix or not endpoint:
        raise QantaraError("the drift alarm prefix or endpoint is empty: the rule would match alarms of other models")
    metric = {"namespace": [DRIFT_NAMESPACE], "name": [{"prefix": DRIFT_METRIC_PREFIX}],
              "dimensions": {"Endpoint": [endpoint]}}
    return json.dumps({
        "source": ["aws.cloudwatch"],
        "detail-type": [ALARM_STATE_CHANGE],
        "detail": {
            "alarmName": [{"prefix": alarm_prefix}],
            "state": {"value": ["ALARM"]},
            "configuration": {"metrics": {"metricStat": {"metric": metric}}},
        },
    }, sort_keys=True)


class MlPipeline(QantaraComponent):
    """The pipeline, its role, and its drift and age triggers with their own roles."""

    pipeline_name: pulumi.Output[str]
    pipeline_arn: pulumi.Output[str]

    def __init__(self, name: str, args: MlPipelineArgs, opts: pulumi.ResourceOptions | None = None):
        _check(args)  # before anything is registered
        super().__init__(TYPE_TOKEN, name, {"dataClassification": args.data_classification}, opts)
        self._name, self._args = name, args
        self.physical_name = args.identity.sagemaker_name(args.project)
        self.place = pulumi.Output.all(
            args.identity.region, args.identity.account_id, args.image_uri, args.kms_key_arn, args.subnet_ids,
            args.security_group_ids, args.data_bucket, args.artifacts_bucket, args.model_package_group,
            args.monitoring_bucket, args.tracking_server_arn,
        ).apply(self._place)
        role, policy = self._pipeline_role()
        track = self._track_role() if args.tracking_server_arn is not None else []
        self.pipeline = aws.sagemaker.Pipeline(
            f"{name}-pipeline",
            pipeline_name=self.physical_name,
            pipeline_display_name=self.physical_name,
            pipeline_description=f"{args.project}: ingest, validate, features, train, evaluate, register, monitor",
            # Built from known strings: the policies read the definition and the role in a preview.
            role_arn=self.place.apply(lambda p: p.role_arn),
            pipeline_definition=self.place.apply(definition_json),
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[role, policy, *track]),
        )
        self.pipeline_arn = self.place.apply(lambda p: pipeline_arn(p, self.physical_name))
        self._drift_trigger()
        self._age_trigger()
        self.pipeline_name = self.pipeline.pipeline_name
        self.register_outputs({"pipelineName": self.pipeline_name, "pipelineArn": self.pipeline_arn})

    def _place(self, values: list) -> PipelinePlace:
        (region, account, image, key, subnets, groups, data_bucket, artifacts_bucket, package_group, monitoring,
         tracking) = values
        args = self._args
        if not subnets or not groups:
            raise QantaraError("the platform exports no private subnets or security groups: the pipeline's jobs "
                               "must run in the platform's VPC")
        role, partition = args.identity.role_name(f"{args.project}-pipeline"), args.identity.partition
        if doubt := analyzer_doubt(region):
            pulumi.log.warn(doubt, resource=self)
        if args.tracking_server_arn is not None:
            # Given but not usable: stop, never log the run's lineage somewhere else nor skip it quietly.
            if problem := tracking_problem(tracking, partition, region, account):
                raise QantaraError(f"the project's runs cannot be logged to the platform's tracking server: {problem}")
        track_role = args.identity.role_name(f"{args.project}-track")
        return PipelinePlace(
            project=args.project, package=args.package, region=region, partition=partition, account_id=account,
            image_uri=image, role_arn=f"arn:{partition}:iam::{account}:role/{role}", kms_key_arn=key,
            subnet_ids=tuple(subnets), security_group_ids=tuple(groups), data_bucket=data_bucket,
            artifacts_bucket=artifacts_bucket, model_package_group=package_group,
            data_classification=args.data_classification, monitoring_bucket=monitoring, model_name=args.model_name,
            instance_type=args.instance_type,
            tracking_server_arn=tracking if args.tracking_server_arn is not None else "",
            track_role_arn=f"arn:{partition}:iam::{account}:role/{track_role}" if args.tracking_server_arn is not None
            else "",
        )

    def _track_role(self) -> list[pulumi.Resource]:
        """The track step's role: SageMaker may assume it for this account's jobs; its policy is
        track_role_policy (the record, MLflow on the one server, nothing of the data lake)."""
        return list(self._sagemaker_role("track", track_role_policy))

    def _pipeline_role(self) -> tuple[aws.iam.Role, aws.iam.RolePolicy]:
        return self._sagemaker_role("pipeline", pipeline_role_policy)

    def _sagemaker_role(self, purpose: str, policy_of) -> tuple[aws.iam.Role, aws.iam.RolePolicy]:
        """A role SageMaker may assume for this account's jobs, `<project>-<purpose>`, with one inline
        policy, `policy_of(place)`."""
        args = self._args
        role = aws.iam.Role(
            f"{self._name}-{purpose}-role",
            name=args.identity.role_name(f"{args.project}-{purpose}"),
            assume_role_policy=pulumi.Output.from_input(args.identity.account_id).apply(pipeline_trust_policy),
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
        policy = aws.iam.RolePolicy(
            f"{self._name}-{purpose}-role-policy",
            role=role.name,
            policy=self.place.apply(policy_of),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[role]),
        )
        return role, policy

    def _trigger_role(self, purpose: str, service: str) -> tuple[aws.iam.Role, aws.iam.RolePolicy]:
        args = self._args
        name = args.identity.role_name(f"{args.project}-{purpose}")
        role = aws.iam.Role(
            f"{self._name}-{purpose}-role",
            name=name,
            assume_role_policy=pulumi.Output.from_input(args.identity.account_id).apply(
                lambda account: trigger_trust_policy(service, account)),
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
        policy = aws.iam.RolePolicy(
            f"{self._name}-{purpose}-role-policy",
            role=role.name,
            policy=self.place.apply(lambda p: start_pipeline_policy(p, self.physical_name)),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[role]),
        )
        return role, policy

    def _role_arn(self, purpose: str) -> pulumi.Output[str]:
        args = self._args
        name = args.identity.role_name(f"{args.project}-{purpose}")
        return self.place.apply(lambda p: f"arn:{p.partition}:iam::{p.account_id}:role/{name}")

    def _drift_trigger(self) -> None:
        args, identity = self._args, self._args.identity
        role, policy = self._trigger_role("drift-trigger", "events.amazonaws.com")
        rule = aws.cloudwatch.EventRule(
            f"{self._name}-drift",
            name=identity.scoped_name(f"{args.project}-drift"),
            description=f"Retrain {args.project} when one of its drift alarms goes to ALARM",
            # The platform names the model's drift alarms with this same prefix (DriftMonitoring).
            event_pattern=drift_event_pattern(drift_alarm_prefix(identity.blueprint, identity.environment, args.model_name),
                                              endpoint_name(identity.blueprint, identity.environment, args.model_name)),
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
        aws.cloudwatch.EventTarget(
            f"{self._name}-drift-target",
            rule=rule.name,
            arn=self.pipeline_arn,
            role_arn=self._role_arn("drift-trigger"),
            sagemaker_pipeline_target={"pipeline_parameter_lists": [{"name": TRIGGER_PARAMETER, "value": "drift"}]},
            opts=pulumi.ResourceOptions(parent=self, depends_on=[rule, role, policy, self.pipeline]),
        )

    def _age_trigger(self) -> None:
        args = self._args
        role, policy = self._trigger_role("age-trigger", "scheduler.amazonaws.com")
        days = retraining_interval_days(args.max_model_age_days)
        aws.scheduler.Schedule(
            f"{self._name}-age",
            name=args.identity.scoped_name(f"{args.project}-age"),
            description=(f"Retrain {args.project} every {days} days: a model may be at most "
                         f"{args.max_model_age_days} days old (spec.governance.maxModelAgeDays)"),
            schedule_expression=f"rate({days} days)",
            flexible_time_window={"mode": "OFF"},
            target={
                "arn": self.pipeline_arn,
                "role_arn": self._role_arn("age-trigger"),
                "sagemaker_pipeline_parameters": {
                    "pipeline_parameters": [{"name": TRIGGER_PARAMETER, "value": "schedule"}]},
            },
            opts=pulumi.ResourceOptions(parent=self, depends_on=[role, policy, self.pipeline]),
        )


def _check(args: MlPipelineArgs) -> None:
    if sagemaker_name(args.project) != args.project:
        raise QantaraError(f"project name `{args.project}` is not a SageMaker name; use e.g. "
                           f"`{sagemaker_name(args.project)}`")
    for purpose in ("pipeline", "drift-trigger", "age-trigger", "track"):
        check_role_name(args.identity.role_name(f"{args.project}-{purpose}"),
                        "the blueprint, environment or project name")
    for purpose in ("drift", "age"):
        check_name("eventBridgeRuleName", args.identity.scoped_name(f"{args.project}-{purpose}"),
                   "the blueprint, environment or project name")
    retraining_interval_days(args.max_model_age_days)
