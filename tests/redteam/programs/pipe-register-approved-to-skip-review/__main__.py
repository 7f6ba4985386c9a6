"""Retraining registers its models Approved, "so that the weekly retrain does not wait for the
review board": the platform's approval rule then deploys a model no one has looked at."""

import json

import pulumi_aws as aws
from redteam_base import opts
from redteam_sagemaker import PLACE, definition, pipeline_role, step

role = pipeline_role()
steps = definition()
step(steps, "Register")["Arguments"]["ModelApprovalStatus"] = "Approved"
aws.sagemaker.Pipeline(
    "readmission-risk-pipeline",
    pipeline_name="dubai-care-ml-prod-readmission-risk",
    pipeline_display_name="dubai-care-ml-prod-readmission-risk",
    role_arn=PLACE.role_arn,
    pipeline_definition=json.dumps(steps),
    opts=opts)
