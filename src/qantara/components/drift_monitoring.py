"""DriftMonitoring: scheduled data-quality monitoring of served endpoints, and their alarms."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pulumi
import pulumi_aws as aws

from qantara.blueprint.models import FEATURE_NAME as FEATURE_PATTERN
from qantara.blueprint.platform_rules import monitor_image_problem
from qantara.catalog import load_catalog
from qantara.components.base import QantaraComponent
from qantara.components.iam_documents import (
    check_role_name,
    kms_use_statement,
    policy_document,
    s3_prefix_statements,
    sagemaker_trust_policy,
    vpc_network_interface_statements,
    with_sid_prefix,
)
from qantara.components.identity import StackIdentity
from qantara.components.scope import require_colocated
from qantara.errors import CatalogError, QantaraError
from qantara.naming import (
    DRIFT_MONITORING_COMPONENT,
    SAGEMAKER_NAME_MAX,
    check_autoname,
    data_quality_logical,
    sagemaker_name,
)

if TYPE_CHECKING:  # builders only read the scope and their resolved component
    from qantara.components.scope import Outputs, PlatformScope
    from qantara.resolution import ResolvedComponent

TYPE_TOKEN = "qantara:drift_monitoring:DriftMonitoring"
IMAGES_CATALOG = "sagemaker_model_monitor_images"
MONITORING_PREFIX = "drift-monitoring"

# The SageMaker Python SDK's CronExpressionGenerator.hourly() and .daily().
SCHEDULES = {"hourly": "cron(0 * ? * * *)", "daily": "cron(0 0 ? * * *)"}
SCHEDULE_SECONDS = {"hourly": 3600, "daily": 86400}

# The SDK's defaults for a monitoring job (sagemaker.model_monitor.ModelMonitor): one
# ml.m5.xlarge, a 30 GB volume, an hour at most; its container paths.
MONITOR_INSTANCE_TYPE = "ml.m5.xlarge"
MONITOR_VOLUME_GB = 30
MONITOR_MAX_RUNTIME_SECONDS = 3600
CONTAINER_ENDPOINT_INPUT = "/opt/ml/processing/input/endpoint"
CONTAINER_OUTPUT = "/opt/ml/processing/output"
# Baseline files the SDK's suggest_baseline writes and a data-quality job reads.
BASELINE_CONSTRAINTS = "constraints.json"
BASELINE_STATISTICS = "statistics.json"
# How the analyzer reads the baseline dataset (its `dataset_format`), the one spelling the project
# pipeline's baseline step (ml_pipeline_definition) gives it: CSV whose first row names the columns,
# the SDK's DatasetFormat.csv() defaults (aws/sagemaker-python-sdk at
# 17b14f898eeb326d46975b04c1bec93e93ba769d, src/sagemaker/model_monitor/dataset_format.py, read
# 2026-12-06). What this means for the monitoring job (AWS developer guide, "Create a Baseline",
# awsdocs/amazon-sagemaker-developer-guide at 1c4d5ff778919484beaa0f1a5f2e86708842ef72,
# doc_source/model-monitor-create-baseline.md, read 2026-12-06): the baseline's and the captured
# data's schemas must match in the number and order of the features, output columns assumed first;
# with a header the statistics, constraints and so the drift metrics carry its names. The data-quality
# job of an endpoint takes no dataset format (its EndpointInput has none): it reads the capture.
BASELINE_DATASET_FORMAT = {"csv": {"header": True, "output_columns_position": "START"}}
# The request and response content types an endpoint's capture records as CSV or JSON text. Without
# them SageMaker base64-encodes what it captures (API reference, CaptureContentTypeHeader:
# https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CaptureContentTypeHeader.html, read
# 2026-12-06), which the analyzer, reading only CSV or flat JSON, cannot compare with a baseline. The
# SDK's DataCaptureConfig defaults (data_capture_config.py at 0106dfac5526cef9c97285f5a2264fcba7a089df).
CAPTURE_CSV_CONTENT_TYPES = ("text/csv",)
CAPTURE_JSON_CONTENT_TYPES = ("application/json",)

# Endpoint invocation metrics (SageMaker developer guide, monitoring-cloudwatch): ModelLatency
# is reported in microseconds, per EndpointName and VariantName.
ENDPOINT_NAMESPACE = "AWS/SageMaker"
MICROSECONDS_PER_MILLISECOND = 1000
# [uncertain] Where the prebuilt analyzer publishes feature drift. The SDK's own data-quality
# dashboard (sagemaker/dashboard/data_quality_dashboard.py) reads
# `aws/sagemaker/Endpoints/data-metrics` with dimensions Endpoint and MonitoringSchedule;
# the developer guide (model-monitor-interpreting-cloudwatch) writes
# `/aws/sagemaker/Endpoints/data-metric` with EndpointName and ScheduleName. The SDK is
# followed; confirm on the first run that the drift alarms receive data.
DRIFT_NAMESPACE = "aws/sagemaker/Endpoints/data-metrics"
DRIFT_METRIC_PREFIX = "feature_baseline_drift_"
# A watched feature's drift metric missing for this many schedule periods raises its "drift not
# measured" alarm: a monitor that cannot read the capture, has no baseline yet, or got no traffic
# says so instead of leaving the drift alarm silent. Missing data counts as breaching (CloudWatch,
# TreatMissingData BREACHING: "Missing data points are treated as breaching the threshold",
# https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.aws_cloudwatch.TreatMissingData.html, read
# 2026-12-06). Two periods, so one late or failed run alone does not raise it; a day's schedule
# evaluates two days, within PutMetricAlarm's seven (Period x EvaluationPeriods <= 604,800 s, one
# day for periods under an hour: PutMetricAlarmRequest.period in the AWS SDK reference,
# https://docs.aws.amazon.com/sdk-for-kotlin/api/latest/cloudwatch/aws.sdk.kotlin.services.cloudwatch.model/-put-metric-alarm-request/period.html,
# read 2026-12-06).
UNMEASURED_PERIODS = 2
FEATURE_NAME = re.compile(FEATURE_PATTERN)


@dataclass
class MonitoredEndpoint:
    model_name: str
    endpoint_name: pulumi.Input[str]
    variant_names: list[str]
    data_capture_uri: pulumi.Input[str]
    # Features whose drift from the baseline raises an alarm. With any, the job compares
    # against the baseline the project writes to `baseline_prefix(...)`.
    drift_features: list[str] = field(default_factory=list)


@dataclass
class DriftMonitoringArgs:
    identity: StackIdentity
    endpoints: list[MonitoredEndpoint]
    kms_key_arn: pulumi.Input[str]
    monitoring_bucket: pulumi.Input[str]
    subnet_ids: pulumi.Input[list]
    security_group_ids: pulumi.Input[list]
    schedule: str = "daily"
    latency_threshold_ms: int = 1000
    # 5xx responses per five minutes that raise the alarm.
    error_threshold: int = 10
    # Drift distance from the baseline over which a feature's alarm fires.
    drift_threshold: float = 0.1
    data_classification: str = "restricted"
    tags: dict[str, str] = field(default_factory=dict)
    # A project's own monitoring of its one endpoint: the role and topic are named after its
    # model (not the environment's, which are the platform's), and only that model's alarms
    # may publish to the topic. None for the platform's monitoring of the blueprint's models.
    project_model: str | None = None


def monitor_image_uri(region: str, partition: str, images: dict) -> str:
    """The prebuilt analyzer image of `region`, from the catalog; an unknown region is refused
    (and found first by `qantara validate`: platform_rules.monitor_image_problem)."""
    problem = monitor_image_problem(region, partition, images)
    if problem:
        raise QantaraError(problem)
    registry = images["registries"][region]
    suffix = images["dnsSuffixes"][partition]
    return f"{registry['account']}.dkr.ecr.{region}.{suffix}/{images['repository']}"


def schedule_name(blueprint: str, environment: str, model_name: str) -> str:
    return sagemaker_name(blueprint, environment, model_name, "drift")


def alarm_base(blueprint: str, environment: str, model_name: str) -> str:
    """Alarm names start with the model's endpoint name, which ModelServing derives the same way."""
    return sagemaker_name(blueprint, environment, model_name)


def drift_alarm_prefix(blueprint: str, environment: str, model_name: str) -> str:
    """Every drift alarm of a model is named `<prefix><feature>`; a project's retraining rule matches the prefix."""
    return f"{alarm_base(blueprint, environment, model_name)}-drift-"


def unmeasured_alarm_prefix(blueprint: str, environment: str, model_name: str) -> str:
    """Every "drift not measured" alarm of a model is named `<prefix><feature>`: outside the drift
    prefix, so the retraining rule never matches it (a monitor that measures nothing retrains nothing)."""
    return f"{alarm_base(blueprint, environment, model_name)}-unmeasured-"


def monitoring_role_name(identity: StackIdentity, project_model: str | None = None) -> str:
    """The platform's monitoring role, or with `project_model` the role of that project's own monitoring."""
    return identity.role_name(f"{project_model}-monitoring" if project_model else "monitoring")


def alert_topic_name(identity: StackIdentity, project_model: str | None = None) -> str:
    """The platform's alert topic, or with `project_model` the topic of that project's alarms."""
    owner = f"{identity.blueprint}-{identity.environment}"
    return (f"{owner}-{project_model}-model-alerts" if project_model else f"{owner}-model-alerts").lower()


def split_s3_uri(uri: str) -> tuple[str, str]:
    if not uri.startswith("s3://") or "/" not in uri[5:]:
        raise QantaraError(f"`{uri}` is not an S3 prefix; expected s3://<bucket>/<prefix>")
    bucket, prefix = uri[5:].split("/", 1)
    return bucket, prefix.strip("/")


def monitoring_policy(args: DriftMonitoringArgs, key_arn: str, bucket: str, capture_uris: list[str]) -> str:
    """Read captured traffic, read baselines and write reports under the monitoring prefix,
    use the platform key, log the processing jobs, run in the VPC, publish the data metrics."""
    captures = sorted({split_s3_uri(uri) for uri in capture_uris})
    statements = [
        s
        for i, (capture_bucket, prefix) in enumerate(captures)
        for s in with_sid_prefix(
            s3_prefix_statements(capture_bucket, prefix, args.identity.partition, ["s3:GetObject"]), f"Capture{i}"
        )
    ]
    statements += [
        *with_sid_prefix(
            s3_prefix_statements(bucket, MONITORING_PREFIX, args.identity.partition, ["s3:GetObject", "s3:PutObject"]),
            "Monitoring",
        ),
        kms_use_statement(key_arn),
        {
            "Sid": "WriteProcessingJobLogs",
            "Effect": "Allow",
            "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
            "Resource": args.identity.arn("logs", "log-group:/aws/sagemaker/ProcessingJobs*"),
        },
        *vpc_network_interface_statements(args.identity.region, args.identity.account_id, args.identity.partition),
        {
            # PutMetricData has no resource type, so "*" is the only resource it accepts; the
            # namespace condition keeps the role to the monitor's own metrics.
            "Sid": "PublishDataQualityMetrics",
            "Effect": "Allow",
            "Action": "cloudwatch:PutMetricData",
            "Resource": "*",
            "Condition": {"StringEquals": {"cloudwatch:namespace": DRIFT_NAMESPACE}},
        },
    ]
    return policy_document(statements)


def alert_topic_policy(topic_arn: str, identity: StackIdentity, alarm_prefix: str) -> str:
    """Only this account's CloudWatch alarms of this platform may publish to the topic."""
    return policy_document(
        [
            {
                "Sid": "PlatformAlarmsPublish",
                "Effect": "Allow",
                "Principal": {"Service": "cloudwatch.amazonaws.com"},
                "Action": "sns:Publish",
                "Resource": topic_arn,
                "Condition": {
                    "ArnLike": {"aws:SourceArn": identity.arn("cloudwatch", f"alarm:{alarm_prefix}-*")},
                    "StringEquals": {"aws:SourceAccount": identity.account_id},
                },
            }
        ]
    )


class DriftMonitoring(QantaraComponent):
    """For each served endpoint: an hourly or daily data-quality monitoring schedule, and
    alarms on model latency, 5xx errors, feature drift and feature drift left unmeasured (its
    metric missing for UNMEASURED_PERIODS runs), all sent to one encrypted topic.

    The monitoring jobs run in the private subnets with inter-container traffic encrypted,
    their volumes and reports encrypted with the platform key. The topic is encrypted with
    the platform key too, whose policy must let cloudwatch.amazonaws.com use it or the
    alarms cannot publish.
    """

    alert_topic_arn: pulumi.Output[str]
    schedule_names: pulumi.Output[list]

    def __init__(self, name: str, args: DriftMonitoringArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(TYPE_TOKEN, name, {"dataClassification": args.data_classification}, opts)
        self._name = name
        self._args = args
        _check(name, args)
        images = load_catalog().get(IMAGES_CATALOG)
        if images is None:
            raise CatalogError(f"policies/data/{IMAGES_CATALOG}.yaml is missing; restore it from the repository")
        self._image = monitor_image_uri(args.identity.region, args.identity.partition, images)
        if images["registries"][args.identity.region].get("certainty") == "uncertain":
            pulumi.log.warn(
                f"the Model Monitor image account for {args.identity.region} is marked uncertain in "
                f"policies/data/{IMAGES_CATALOG}.yaml; confirm it before relying on drift reports",
                resource=self,
            )
        self.role, role_ready = self._role()
        self.topic = self._topic()
        self.schedules = [self._schedule(e, role_ready) for e in args.endpoints]
        for endpoint in args.endpoints:
            self._alarms(endpoint)

        self.alert_topic_arn = self.topic.arn
        self.schedule_names = pulumi.Output.all(*[s.name for s in self.schedules])
        self.register_outputs({"alertTopicArn": self.alert_topic_arn, "scheduleNames": self.schedule_names})

    def _role(self) -> tuple[aws.iam.Role, list[pulumi.Resource]]:
        args = self._args
        role = aws.iam.Role(
            f"{self._name}-role",
            name=monitoring_role_name(args.identity, args.project_model),
            assume_role_policy=sagemaker_trust_policy(args.identity.account_id),
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
        policy = aws.iam.RolePolicy(
            f"{self._name}-role-policy",
            role=role.name,
            policy=pulumi.Output.all(
                args.kms_key_arn, args.monitoring_bucket, *[e.data_capture_uri for e in args.endpoints]
            ).apply(lambda v: monitoring_policy(args, v[0], v[1], list(v[2:]))),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[role]),
        )
        return role, [role, policy]

    def _topic(self) -> aws.sns.Topic:
        args = self._args
        physical = alert_topic_name(args.identity, args.project_model)
        # Built from known strings so the topic policy is readable at preview.
        topic_arn = args.identity.arn("sns", physical)
        topic = aws.sns.Topic(
            f"{self._name}-alerts",
            name=physical,
            kms_master_key_id=args.kms_key_arn,
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
        aws.sns.TopicPolicy(
            f"{self._name}-alerts-policy",
            arn=topic.arn,
            policy=alert_topic_policy(topic_arn, args.identity, self._alarm_owner()),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[topic]),
        )
        return topic

    def _alarm_owner(self) -> str:
        """The name every alarm allowed to publish starts with: the platform's, or the project's model's."""
        args = self._args
        if args.project_model:
            return alarm_base(args.identity.blueprint, args.identity.environment, args.project_model)
        return args.identity.sagemaker_name()

    def _job_definition(self, endpoint: MonitoredEndpoint) -> dict:
        """The data-quality job's arguments: the analyzer reading the endpoint's captured requests."""
        args = self._args
        reports = pulumi.Output.concat(
            "s3://", args.monitoring_bucket, "/", MONITORING_PREFIX, "/", sagemaker_name(endpoint.model_name), "/reports"
        )
        definition = {
            "role_arn": self.role.arn,
            "data_quality_app_specification": {
                "image_uri": self._image,
                "environment": {"publish_cloudwatch_metrics": "Enabled"},
            },
            "data_quality_job_input": {
                "endpoint_input": {
                    "endpoint_name": endpoint.endpoint_name,
                    "local_path": CONTAINER_ENDPOINT_INPUT,
                    "s3_input_mode": "File",
                    "s3_data_distribution_type": "FullyReplicated",
                }
            },
            "data_quality_job_output_config": {
                "kms_key_id": args.kms_key_arn,
                "monitoring_outputs": {
                    "s3_output": {"s3_uri": reports, "local_path": CONTAINER_OUTPUT, "s3_upload_mode": "EndOfJob"}
                },
            },
            "job_resources": {
                "cluster_config": {
                    "instance_count": 1,
                    "instance_type": MONITOR_INSTANCE_TYPE,
                    "volume_size_in_gb": MONITOR_VOLUME_GB,
                    "volume_kms_key_id": args.kms_key_arn,
                }
            },
            # No network isolation: the analyzer publishes its metrics to CloudWatch from the
            # container, through the VPC (which has no internet path) to the CloudWatch endpoint.
            "network_config": {
                "enable_inter_container_traffic_encryption": True,
                "enable_network_isolation": False,
                "vpc_config": {"subnets": args.subnet_ids, "security_group_ids": args.security_group_ids},
            },
            "stopping_condition": {"max_runtime_in_seconds": MONITOR_MAX_RUNTIME_SECONDS},
        }
        if endpoint.drift_features:
            baseline = baseline_prefix(args.monitoring_bucket, endpoint.model_name)
            definition["data_quality_baseline_config"] = {
                "constraints_resource": {"s3_uri": pulumi.Output.concat(baseline, "/", BASELINE_CONSTRAINTS)},
                "statistics_resource": {"s3_uri": pulumi.Output.concat(baseline, "/", BASELINE_STATISTICS)},
            }
        return definition

    def _schedule(self, endpoint: MonitoredEndpoint, role_ready: list[pulumi.Resource]) -> aws.sagemaker.MonitoringSchedule:
        args = self._args
        logical = f"{self._name}-{sagemaker_name(endpoint.model_name)}"
        # Job definitions cannot be changed: auto-named, a changed one is a new one, and the
        # schedule (whose name the alarms use) switches to it in place.
        job = aws.sagemaker.DataQualityJobDefinition(
            data_quality_logical(self._name, endpoint.model_name),
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self, depends_on=role_ready),
            **self._job_definition(endpoint),
        )
        return aws.sagemaker.MonitoringSchedule(
            f"{logical}-schedule",
            name=schedule_name(args.identity.blueprint, args.identity.environment, endpoint.model_name),
            monitoring_schedule_config={
                "monitoring_type": "DataQuality",
                "monitoring_job_definition_name": job.name,
                "schedule_config": {"schedule_expression": SCHEDULES[args.schedule]},
            },
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[job]),
        )

    def _alarms(self, endpoint: MonitoredEndpoint) -> None:
        args = self._args
        logical = f"{self._name}-{sagemaker_name(endpoint.model_name)}"
        base = alarm_base(args.identity.blueprint, args.identity.environment, endpoint.model_name)
        for variant in endpoint.variant_names:
            dimensions = {"EndpointName": endpoint.endpoint_name, "VariantName": variant}
            self._alarm(
                f"{logical}-{variant}-latency",
                name=f"{base}-{variant}-latency",
                description=f"{endpoint.model_name} ({variant}) answers slower than {args.latency_threshold_ms} ms",
                namespace=ENDPOINT_NAMESPACE,
                metric_name="ModelLatency",
                dimensions=dimensions,
                statistic="Average",
                period=300,
                evaluation_periods=3,
                threshold=args.latency_threshold_ms * MICROSECONDS_PER_MILLISECOND,
                comparison_operator="GreaterThanThreshold",
                treat_missing_data="notBreaching",
            )
            self._alarm(
                f"{logical}-{variant}-errors",
                name=f"{base}-{variant}-5xx",
                description=f"{endpoint.model_name} ({variant}) returned {args.error_threshold}+ 5xx in five minutes",
                namespace=ENDPOINT_NAMESPACE,
                metric_name="Invocation5XXErrors",
                dimensions=dimensions,
                statistic="Sum",
                period=300,
                evaluation_periods=1,
                threshold=args.error_threshold,
                comparison_operator="GreaterThanOrEqualToThreshold",
                treat_missing_data="notBreaching",
            )
        for feature in endpoint.drift_features:
            self._drift_alarms(endpoint, logical, feature)

    def _drift_alarms(self, endpoint: MonitoredEndpoint, logical: str, feature: str) -> None:
        """A feature's drift alarm, and its "drift not measured" alarm on the same metric."""
        args = self._args
        schedule = schedule_name(args.identity.blueprint, args.identity.environment, endpoint.model_name)
        self._alarm(
            f"{logical}-drift-{feature}",
            name=f"{drift_alarm_prefix(args.identity.blueprint, args.identity.environment, endpoint.model_name)}{feature}",
            description=f"{endpoint.model_name}: feature {feature} drifted from its baseline",
            namespace=DRIFT_NAMESPACE,
            metric_name=f"{DRIFT_METRIC_PREFIX}{feature}",
            dimensions={"Endpoint": endpoint.endpoint_name, "MonitoringSchedule": schedule},
            statistic="Maximum",
            period=SCHEDULE_SECONDS[args.schedule],
            evaluation_periods=1,
            threshold=args.drift_threshold,
            comparison_operator="GreaterThanThreshold",
            # A schedule that has not run yet leaves the alarm without data, not alarming.
            treat_missing_data="missing",
        )
        # The same metric's absence, to the team only: a drift alarm without data is not a
        # model without drift (see UNMEASURED_PERIODS).
        self._alarm(
            f"{logical}-unmeasured-{feature}",
            name=f"{unmeasured_alarm_prefix(args.identity.blueprint, args.identity.environment, endpoint.model_name)}"
                 f"{feature}",
            description=f"{endpoint.model_name}: no drift measured for feature {feature} in "
                        f"{UNMEASURED_PERIODS} {args.schedule} runs (no baseline, no traffic, or the monitor "
                        f"cannot read the captured requests)",
            namespace=DRIFT_NAMESPACE,
            metric_name=f"{DRIFT_METRIC_PREFIX}{feature}",
            dimensions={"Endpoint": endpoint.endpoint_name, "MonitoringSchedule": schedule},
            statistic="SampleCount",
            period=SCHEDULE_SECONDS[args.schedule],
            evaluation_periods=UNMEASURED_PERIODS,
            threshold=1,
            comparison_operator="LessThanThreshold",
            treat_missing_data="breaching",
        )

    def _alarm(self, logical: str, *, name: str, description: str, **metric) -> None:
        aws.cloudwatch.MetricAlarm(
            logical,
            name=name,
            alarm_description=description,
            alarm_actions=[self.topic.arn],
            ok_actions=[self.topic.arn],
            tags=self._args.tags,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.topic]),
            **metric,
        )


def baseline_uri(monitoring_bucket: str, model_name: str) -> str:
    """Where the project pipeline's baseline step (ml_pipeline_definition) writes constraints.json
    and statistics.json, and the model's data-quality job reads them: the one spelling of it."""
    return f"s3://{monitoring_bucket}/{MONITORING_PREFIX}/{sagemaker_name(model_name)}/baseline"


def baseline_prefix(monitoring_bucket: pulumi.Input[str], model_name: str) -> pulumi.Output[str]:
    """`baseline_uri` of a bucket that may be an Output (the platform stack's)."""
    return pulumi.Output.from_input(monitoring_bucket).apply(lambda bucket: baseline_uri(bucket, model_name))


def _check(name: str, args: DriftMonitoringArgs) -> None:
    # Job definitions are auto-named from `name`: it must make SageMaker names.
    if sagemaker_name(name) != name:
        raise QantaraError(f"component name `{name}` is not a SageMaker name; use e.g. `{sagemaker_name(name)}`")
    if args.schedule not in SCHEDULES:
        raise QantaraError(f"monitoring schedule `{args.schedule}` is not offered; use one of {', '.join(SCHEDULES)}")
    if not args.endpoints:
        raise QantaraError("drift monitoring has no endpoints; monitor at least one served model")
    models = [sagemaker_name(e.model_name) for e in args.endpoints]
    if len(set(models)) != len(models):
        raise QantaraError(f"drift monitoring lists a model twice: {', '.join(models)}")
    if args.latency_threshold_ms <= 0 or args.error_threshold <= 0 or args.drift_threshold <= 0:
        raise QantaraError("latency, error and drift thresholds must be positive")
    for endpoint in args.endpoints:
        _check_features(endpoint)
        if not endpoint.variant_names:
            raise QantaraError(f"endpoint of `{endpoint.model_name}` names no variants to alarm on")
        check_autoname(
            data_quality_logical(name, endpoint.model_name),
            SAGEMAKER_NAME_MAX,
            f"the component name `{name}` or the model name `{endpoint.model_name}`",
        )
    if args.project_model and [sagemaker_name(e.model_name) for e in args.endpoints] != [sagemaker_name(args.project_model)]:
        raise QantaraError(f"a project's monitoring watches its own model `{args.project_model}` only, not "
                           f"{', '.join(e.model_name for e in args.endpoints)}")
    check_role_name(monitoring_role_name(args.identity, args.project_model),
                    "the blueprint, environment or model name")


def _check_features(endpoint: MonitoredEndpoint) -> None:
    # A feature names an alarm, its logical name and the analyzer's metric: a column name, once.
    features = endpoint.drift_features
    bad = [f for f in features if not isinstance(f, str) or not FEATURE_NAME.match(f)]
    if bad:
        raise QantaraError(f"drift features of `{endpoint.model_name}` must be column names (letters, digits, '_', '.', "
                           f"'-', at most 64); not {', '.join(map(repr, bad))}")
    if len(set(features)) != len(features):
        raise QantaraError(f"drift features of `{endpoint.model_name}` name a feature twice: {', '.join(features)}")


def build_drift_monitoring(scope: PlatformScope, component: ResolvedComponent) -> Outputs:
    """Drift and health monitoring of the cloud endpoints; nothing when no model is served."""
    endpoints = scope.built.get("endpoints")
    if not endpoints:
        return {}
    require_colocated(scope.platform, "monitoring")
    monitoring, network = component.settings, scope.built["network"]
    drift = DriftMonitoring(
        DRIFT_MONITORING_COMPONENT,
        DriftMonitoringArgs(
            identity=scope.identity,
            endpoints=endpoints,
            kms_key_arn=scope.key_arn,
            monitoring_bucket=scope.identity.bucket_name("artifacts"),
            subnet_ids=network.subnet_ids,
            security_group_ids=[network.workload_security_group_id],
            schedule=monitoring.schedule,
            latency_threshold_ms=monitoring.latency_threshold_ms,
            error_threshold=monitoring.error_threshold,
            data_classification=component.data_class,
            tags=scope.tags("monitoring", component.data_class),
        ),
        opts=scope.opts,
    )
    return {"alertTopicArn": drift.alert_topic_arn, "monitoringSchedules": drift.schedule_names}
