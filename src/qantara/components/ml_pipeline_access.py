"""The IAM documents of a project's SageMaker pipeline and of what starts it.

The pipeline's role is both the role SageMaker Pipelines acts as (it creates the jobs and the
model package) and the role the jobs run as, as the SageMaker SDK sets it up. It reaches only
the project's prefixes of the platform's buckets, the platform key, the project's model
package group and the platform's image repository. Two resources take only "*" (AWS
documents no resource type for them): ecr:GetAuthorizationToken, and the EC2 Describe calls
SageMaker makes to place a job's network interfaces in the VPC.

It may write one more place: the model's drift baseline prefix in the monitoring bucket
(PutObject there, nothing else in that bucket), which its baseline step fills. The analyzer
image of that step is AWS's, pulled the way DriftMonitoring's role runs the same image: no
grant on AWS's repository.

The trigger roles (EventBridge for drift, EventBridge Scheduler for age) may start this one
pipeline and nothing else.

A tracked pipeline's track step runs as a role of its own (track_role_policy): it is the one
step that is not network-isolated, so it may read the run's record and write its receipt, use
the platform key, pull the project's image, and call the MLflow actions logging a run needs on the
platform's tracking server, and it reads nothing of the data lake, the step outputs or the
models. The pipeline role may pass it to that step, and may start that step's job without network
isolation; every other job it starts stays isolated for restricted and secret data.
"""

from __future__ import annotations

from qantara.components.drift_monitoring import split_s3_uri
from qantara.components.iam_documents import (
    kms_use_statement,
    policy_document,
    s3_prefix_statements,
    service_trust_policy,
    vpc_network_interface_statements,
    with_sid_prefix,
)
from qantara.components.ml_pipeline_definition import (
    MODEL_ARTIFACTS_PREFIX,
    PIPELINE_PREFIX,
    RECORD_OUTPUT,
    TRACK_STEP,
    TRAINING_DATA_PREFIX,
    PipelinePlace,
    baseline_output_uri,
    isolated,
    tracked,
)
from qantara.errors import QantaraError

# [uncertain] Jobs a pipeline starts are named by SageMaker Pipelines, "pipelines-<execution
# id>-<step>-<suffix>" in the jobs seen in the SageMaker console and the SDK's examples; the
# API reference does not promise it. Were it to change, the role would be refused the jobs
# (a failed run), never given more.
PIPELINE_JOB_PREFIX = "pipelines-"
# [uncertain] The track step's job, by the same naming (the step's name, "Track", between the
# execution id and the suffix), in both spellings: the console shows it capitalised, ARNs are
# lower-case. Were it named otherwise, the job would be refused (no run logged), never given more.
TRACK_JOB_PATTERNS = (f"{PIPELINE_JOB_PREFIX}*-Track-*", f"{PIPELINE_JOB_PREFIX}*-track-*")

# What logging one run needs of SageMaker MLflow, as its client calls it (mlflow.set_experiment:
# GetExperimentByName, CreateExperiment; start_run: CreateRun; log_params, log_metrics, set_tags:
# LogBatch, LogParam, LogMetric, SetTag; end_run: UpdateRun; GetRun to read the run back). The
# names are from the Service Authorization Reference, "Actions, resources, and condition keys for
# Amazon SageMaker with MLflow" (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsagemakerwithmlflow.html)
# and the SageMaker developer guide's list, "Set up IAM permissions for MLflow"
# (https://docs.aws.amazon.com/sagemaker/latest/dg/mlflow-create-tracking-server-iam.html), both
# read 2026-12-06; each takes the resource type mlflow-tracking-server. Nothing that deletes,
# renames, registers a model or opens the UI.
TRACKING_ACTIONS = (
    "sagemaker-mlflow:CreateExperiment",
    "sagemaker-mlflow:CreateRun",
    "sagemaker-mlflow:GetExperimentByName",
    "sagemaker-mlflow:GetRun",
    "sagemaker-mlflow:LogBatch",
    "sagemaker-mlflow:LogMetric",
    "sagemaker-mlflow:LogParam",
    "sagemaker-mlflow:SetTag",
    "sagemaker-mlflow:UpdateRun",
)


def pipeline_trust_policy(account_id: str) -> str:
    return service_trust_policy("sagemaker.amazonaws.com", {"StringEquals": {"aws:SourceAccount": account_id}})


def trigger_trust_policy(service: str, account_id: str) -> str:
    """events.amazonaws.com (drift rule) or scheduler.amazonaws.com (age schedule), for this account only."""
    return service_trust_policy(service, {"StringEquals": {"aws:SourceAccount": account_id}})


def pipeline_arn(place: PipelinePlace, pipeline_name: str) -> str:
    # SageMaker writes resource names lower-case in its ARNs.
    return f"arn:{place.partition}:sagemaker:{place.region}:{place.account_id}:pipeline/{pipeline_name.lower()}"


def repository_arn(place: PipelinePlace) -> str:
    """The ECR repository of the image URI, which must be in the pipeline's account and region."""
    host, _, path = place.image_uri.partition("/")
    name = path.split("@")[0].split(":")[0]
    parts = host.split(".")
    if len(parts) < 6 or parts[1:3] != ["dkr", "ecr"] or not name:
        raise QantaraError(f"image `{place.image_uri}` is not an ECR image "
                           "(<account>.dkr.ecr.<region>.<domain>/<name>:<tag>); "
                           "use the platform's model image repository (modelImageRepositoryUrl)")
    if parts[0] != place.account_id or parts[3] != place.region:
        raise QantaraError(f"image `{place.image_uri}` is in account {parts[0]}, region {parts[3]}; the pipeline "
                           f"runs in account {place.account_id}, region {place.region}: "
                           "use the platform's model image repository")
    return f"arn:{place.partition}:ecr:{place.region}:{place.account_id}:repository/{name}"


def _job_statements(place: PipelinePlace) -> list[dict]:
    arn = f"arn:{place.partition}:sagemaker:{place.region}:{place.account_id}"
    jobs = [f"{arn}:processing-job/{PIPELINE_JOB_PREFIX}*", f"{arn}:training-job/{PIPELINE_JOB_PREFIX}*"]
    # The job must carry the platform key and run in the platform's subnets (and isolated for
    # restricted data): the role cannot start a job that would not.
    conditions: dict = {
        "StringEquals": {"sagemaker:VolumeKmsKey": place.kms_key_arn, "sagemaker:OutputKmsKey": place.kms_key_arn},
        "ForAllValues:StringEquals": {"sagemaker:VpcSubnets": list(place.subnet_ids),
                                      "sagemaker:VpcSecurityGroupIds": list(place.security_group_ids)},
        "Bool": {"sagemaker:InterContainerTrafficEncryption": "true"},
    }
    if isolated(place):
        conditions["Bool"]["sagemaker:NetworkIsolation"] = "true"
    group = place.model_package_group.lower()
    return [
        {"Sid": "StartJobsInThePlatformsNetworkWithItsKey", "Effect": "Allow",
         "Action": ["sagemaker:CreateProcessingJob", "sagemaker:CreateTrainingJob"], "Resource": jobs,
         "Condition": conditions},
        *_track_job_statements(place, arn),
        {"Sid": "FollowOwnJobs", "Effect": "Allow",
         "Action": ["sagemaker:AddTags", "sagemaker:DescribeProcessingJob", "sagemaker:DescribeTrainingJob",
                    "sagemaker:StopProcessingJob", "sagemaker:StopTrainingJob"], "Resource": jobs},
        {"Sid": "RegisterPendingModels", "Effect": "Allow",
         "Action": ["sagemaker:CreateModelPackage", "sagemaker:DescribeModelPackage",
                    "sagemaker:DescribeModelPackageGroup"],
         "Resource": [f"{arn}:model-package-group/{group}", f"{arn}:model-package/{group}/*"]},
        {"Sid": "PassOwnRoleToJobs", "Effect": "Allow", "Action": "iam:PassRole",
         "Resource": [place.role_arn, *([place.track_role_arn] if tracked(place) else [])],
         "Condition": {"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}}},
    ]


def _track_job_statements(place: PipelinePlace, arn: str) -> list[dict]:
    """The track step's job, which must reach MLflow: in the platform's subnets with its key, like
    every job, but without the isolation condition. Only a processing job named as the track step."""
    if not tracked(place) or not isolated(place):
        return []  # the general statement already allows it
    return [{"Sid": "StartTrackJobInThePlatformsNetworkWithItsKey", "Effect": "Allow",
             "Action": "sagemaker:CreateProcessingJob",
             "Resource": [f"{arn}:processing-job/{pattern}" for pattern in TRACK_JOB_PATTERNS],
             "Condition": {
                 "StringEquals": {"sagemaker:VolumeKmsKey": place.kms_key_arn,
                                  "sagemaker:OutputKmsKey": place.kms_key_arn},
                 "ForAllValues:StringEquals": {"sagemaker:VpcSubnets": list(place.subnet_ids),
                                               "sagemaker:VpcSecurityGroupIds": list(place.security_group_ids)},
                 "Bool": {"sagemaker:InterContainerTrafficEncryption": "true"}}}]


def _data_statements(place: PipelinePlace) -> list[dict]:
    project_prefix = f"{PIPELINE_PREFIX}/{place.project}"
    models_prefix = f"{MODEL_ARTIFACTS_PREFIX}/{place.project}"
    data_prefix = f"{place.model_package_group}/{TRAINING_DATA_PREFIX}"
    return [
        *with_sid_prefix(s3_prefix_statements(place.data_bucket, data_prefix, place.partition, ["s3:GetObject"]),
                         "TrainingData"),
        *with_sid_prefix(s3_prefix_statements(place.artifacts_bucket, project_prefix, place.partition,
                                              ["s3:GetObject", "s3:PutObject"]), "StepOutputs"),
        # The bucket-level statement is the StepOutputs one: IAM refuses a repeated Sid.
        *[s for s in with_sid_prefix(s3_prefix_statements(place.artifacts_bucket, models_prefix, place.partition,
                                                          ["s3:GetObject", "s3:PutObject"]), "Models")
          if s["Sid"] != "ModelsReadBucket"],
    ]


def _baseline_statements(place: PipelinePlace) -> list[dict]:
    """Write the model's baseline files and nothing else: SageMaker uploads the analyzer's output
    with PutObject; the job reads nothing there (no list, no get)."""
    bucket, prefix = split_s3_uri(baseline_output_uri(place))
    return [{"Sid": "WriteDriftBaseline", "Effect": "Allow", "Action": "s3:PutObject",
             "Resource": f"arn:{place.partition}:s3:::{bucket}/{prefix}/*"}]


def _key_statements(place: PipelinePlace) -> list[dict]:
    return [
        kms_use_statement(place.kms_key_arn),
        # SageMaker encrypts a job's volume through a grant on the key it is given.
        {"Sid": "GrantPlatformKeyToJobVolumes", "Effect": "Allow", "Action": ["kms:CreateGrant", "kms:DescribeKey"],
         "Resource": place.kms_key_arn, "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}}},
    ]


def _image_statements(place: PipelinePlace) -> list[dict]:
    return [
        {"Sid": "PullProjectImage", "Effect": "Allow",
         "Action": ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
         "Resource": repository_arn(place)},
        # GetAuthorizationToken has no resource type: "*" is the only resource it accepts.
        {"Sid": "LogInToRegistry", "Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
    ]


def _log_statements(place: PipelinePlace) -> list[dict]:
    groups = f"arn:{place.partition}:logs:{place.region}:{place.account_id}:log-group:/aws/sagemaker"
    return [{"Sid": "WriteJobLogs", "Effect": "Allow",
             "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
             "Resource": [f"{groups}/ProcessingJobs*", f"{groups}/TrainingJobs*"]}]


def pipeline_role_policy(place: PipelinePlace) -> str:
    return policy_document([
        *_job_statements(place),
        *_data_statements(place),
        *_baseline_statements(place),
        *_key_statements(place),
        *_image_statements(place),
        *_log_statements(place),
        *vpc_network_interface_statements(place.region, place.account_id, place.partition),
    ])


def start_pipeline_policy(place: PipelinePlace, pipeline_name: str) -> str:
    """Start this pipeline, nothing else: no other pipeline, no update, no deployment."""
    return policy_document([{"Sid": "StartThisPipelineOnly", "Effect": "Allow",
                             "Action": "sagemaker:StartPipelineExecution",
                             "Resource": pipeline_arn(place, pipeline_name)}])


def record_prefix(place: PipelinePlace) -> str:
    return f"{PIPELINE_PREFIX}/{place.project}/{RECORD_OUTPUT}"


def track_output_prefix(place: PipelinePlace) -> str:
    return f"{PIPELINE_PREFIX}/{place.project}/{TRACK_STEP}"


def track_role_policy(place: PipelinePlace) -> str:
    """The track step's role: the record in, the receipt out, the platform key, the project's image,
    its logs and network interfaces, and MLflow on this one tracking server. No data bucket, no other
    step's output, no model, no SageMaker API."""
    if not tracked(place):
        raise QantaraError("the pipeline is not tracked: it has no track step, and no track role")
    bucket = f"arn:{place.partition}:s3:::{place.artifacts_bucket}"
    record, receipt = record_prefix(place), track_output_prefix(place)
    return policy_document([
        {"Sid": "ListRunRecord", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": bucket,
         "Condition": {"StringLike": {"s3:prefix": [record, f"{record}/*"]}}},
        {"Sid": "ReadRunRecord", "Effect": "Allow", "Action": "s3:GetObject", "Resource": f"{bucket}/{record}/*"},
        {"Sid": "WriteTrackingReceipt", "Effect": "Allow", "Action": "s3:PutObject", "Resource": f"{bucket}/{receipt}/*"},
        *_key_statements(place),
        *_image_statements(place),
        *_log_statements(place),
        *vpc_network_interface_statements(place.region, place.account_id, place.partition),
        {"Sid": "LogRunsToThePlatformsTrackingServer", "Effect": "Allow", "Action": list(TRACKING_ACTIONS),
         "Resource": place.tracking_server_arn},
    ])
