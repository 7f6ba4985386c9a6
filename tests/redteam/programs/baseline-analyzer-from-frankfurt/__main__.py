"""The baseline step's image URI was copied from the EU team's notebook: Model Monitor's
analyzer of eu-central-1, not of the UAE, so the job reading the training data runs code pulled
from Frankfurt."""

import json

import pulumi_aws as aws
from redteam_base import opts
from redteam_sagemaker import PLACE, definition, pipeline_role, step

role = pipeline_role()
steps = definition()
step(steps, "Baseline")["Arguments"]["AppSpecification"]["ImageUri"] = (
    "048819808253.dkr.ecr.eu-central-1.amazonaws.com/sagemaker-model-monitor-analyzer")
aws.sagemaker.Pipeline(
    "readmission-risk-pipeline",
    pipeline_name="dubai-care-ml-prod-readmission-risk",
    pipeline_display_name="dubai-care-ml-prod-readmission-risk",
    role_arn=PLACE.role_arn,
    pipeline_definition=json.dumps(steps),
    opts=opts)
