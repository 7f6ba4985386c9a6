"""A project's SageMaker pipeline the compliant way, for the pipe-* red-team programs: the
platform's bucket, key, subnets and image repository in the UAE, a role scoped to them, and the
seven steps as MlPipeline defines them. A program changes one thing in the definition or the
role and declares the pipeline (`project_pipeline`). A tracked pipeline (`tracked_definition`) also
logs each run to the platform's MLflow from a track step running as its own role (`track_role`)."""

import dataclasses
import json

import pulumi_aws as aws
from redteam_base import ACCOUNT, TAGS, opts

from qantara.components.ml_pipeline_access import pipeline_role_policy, pipeline_trust_policy, track_role_policy
from qantara.components.ml_pipeline_definition import PipelinePlace, pipeline_definition

ROLE = "dubai-care-ml-prod-readmission-risk-pipeline"
PLACE = PipelinePlace(
    project="readmission-risk", package="readmission_risk", region="me-central-1", partition="aws",
    account_id=ACCOUNT, image_uri=f"{ACCOUNT}.dkr.ecr.me-central-1.amazonaws.com/dubai-care-ml-prod-models:readmission-risk-0.1.0",
    role_arn=f"arn:aws:iam::{ACCOUNT}:role/{ROLE}",
    kms_key_arn=f"arn:aws:kms:me-central-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    subnet_ids=("subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"), security_group_ids=("sg-0a1b2c3d4e5f60001",),
    data_bucket="dubai-care-ml-prod-curated-me-central-1", artifacts_bucket="dubai-care-ml-prod-artifacts-me-central-1",
    model_package_group="dubai-care-ml-prod-readmission-risk", data_classification=TAGS["data-classification"],
    monitoring_bucket="dubai-care-ml-prod-artifacts-me-central-1", model_name="readmission-risk",
)


def definition() -> dict:
    """The seven steps, to be changed by one behaviour."""
    return pipeline_definition(PLACE)


def step(definition: dict, name: str) -> dict:
    return next(s for s in definition["Steps"] if s["Name"] == name)


def pipeline_role(policy: str | None = None) -> aws.iam.Role:
    """The pipeline's role, with MlPipeline's scoped policy unless `policy` is given."""
    return _sagemaker_role("pipeline", ROLE, policy or pipeline_role_policy(PLACE))


def _sagemaker_role(purpose: str, name: str, policy: str) -> aws.iam.Role:
    """A role SageMaker's jobs assume, `readmission-risk-<purpose>-role`, with one inline policy."""
    role = aws.iam.Role(f"readmission-risk-{purpose}-role", name=name, assume_role_policy=pipeline_trust_policy(ACCOUNT),
                        opts=opts)
    aws.iam.RolePolicy(f"readmission-risk-{purpose}-role-policy", role=role.name, policy=policy, opts=opts)
    return role


def project_pipeline(steps: dict) -> aws.sagemaker.Pipeline:
    """The pipeline resource as the project's infra declares it, running `steps`."""
    return aws.sagemaker.Pipeline(
        "readmission-risk-pipeline",
        pipeline_name="dubai-care-ml-prod-readmission-risk",
        pipeline_display_name="dubai-care-ml-prod-readmission-risk",
        role_arn=PLACE.role_arn,
        pipeline_definition=json.dumps(steps),
        opts=opts)


TRACK_ROLE = "dubai-care-ml-prod-readmission-risk-track"
# The platform's SageMaker MLflow server in the UAE (experiment tracking's trackingUri export).
TRACKING_SERVER = f"arn:aws:sagemaker:me-central-1:{ACCOUNT}:mlflow-tracking-server/dubai-care-ml-prod"
TRACKED = dataclasses.replace(PLACE, tracking_server_arn=TRACKING_SERVER,
                              track_role_arn=f"arn:aws:iam::{ACCOUNT}:role/{TRACK_ROLE}")


def tracked_definition() -> dict:
    """The seven steps, the baseline and the track step, to be changed by one behaviour."""
    return pipeline_definition(TRACKED)


def track_role(policy: str | None = None) -> aws.iam.Role:
    """The track step's role, with MlPipeline's policy (the record, MLflow on the one server) unless given."""
    return _sagemaker_role("track", TRACK_ROLE, policy or track_role_policy(TRACKED))


def tracked_roles() -> None:
    """Both roles as MlPipeline makes them for a tracked pipeline."""
    pipeline_role(pipeline_role_policy(TRACKED))
    track_role()
