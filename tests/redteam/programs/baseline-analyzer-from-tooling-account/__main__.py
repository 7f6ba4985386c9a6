"""The team mirrors AWS's Model Monitor analyzer into its shared tooling account (same UAE
region, "so builds do not depend on AWS's registry"), and points the pipeline's baseline step at
the mirror: the image that reads the training data is no longer AWS's nor the platform's."""

import json

import pulumi_aws as aws
from redteam_base import opts
from redteam_sagemaker import PLACE, definition, pipeline_role, step

role = pipeline_role()
steps = definition()
step(steps, "Baseline")["Arguments"]["AppSpecification"]["ImageUri"] = (
    "444455556666.dkr.ecr.me-central-1.amazonaws.com/mirror/sagemaker-model-monitor-analyzer:latest")
aws.sagemaker.Pipeline(
    "readmission-risk-pipeline",
    pipeline_name="dubai-care-ml-prod-readmission-risk",
    pipeline_display_name="dubai-care-ml-prod-readmission-risk",
    role_arn=PLACE.role_arn,
    pipeline_definition=json.dumps(steps),
    opts=opts)
