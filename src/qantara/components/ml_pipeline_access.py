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
    TRAINING_DATA_PREFIX,
    PipelinePlace,
    baseline_output_uri,
    isolated,
)
from qantara.errors import QantaraError

# [uncertain] Jobs a pipeline starts are named by SageMaker Pipelines, "pipelines-<execution
# id>-<step>-<suffix>" in the jobs seen in the SageMaker console and the SDK's examples; the
# API reference does not promise it. Were it to change, the role would be refused the jobs
# (a failed run), never given more.
PIPELINE_JOB_PREFIX = "pipelines-"


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
        {"Sid": "FollowOwnJobs", "Effect": "Allow",
         "Action": ["sagemaker:AddTags", "sagemaker:DescribeProcessingJob", "sagemaker:DescribeTrainingJob",
                    "sagemaker:StopProcessingJob", "sagemaker:StopTrainingJob"], "Resource": jobs},
        {"Sid": "RegisterPendingModels", "Effect": "Allow",
         "Action": ["sagemaker:CreateModelPackage", "sagemaker:DescribeModelPackage",
                    "sagemaker:DescribeModelPackageGroup"],
         "Resource": [f"{arn}:model-package-group/{group}", f"{arn}:model-package/{group}/*"]},
        {"Sid": "PassOwnRoleToJobs", "Effect": "Allow", "Action": "iam:PassRole", "Resource": place.role_arn,
         "Condition": {"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}}},
    ]


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
