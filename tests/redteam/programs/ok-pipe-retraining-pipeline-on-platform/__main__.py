"""The project's pipeline as Qantara defines it: seven steps in the platform's image, key,
subnets and buckets in the UAE, registering PendingManualApproval, with its scoped role."""

import json

import pulumi_aws as aws
from redteam_base import opts
from redteam_sagemaker import PLACE, definition, pipeline_role

role = pipeline_role()
aws.sagemaker.Pipeline(
    "readmission-risk-pipeline",
    pipeline_name="dubai-care-ml-prod-readmission-risk",
    pipeline_display_name="dubai-care-ml-prod-readmission-risk",
    role_arn=PLACE.role_arn,
    pipeline_definition=json.dumps(definition()),
    opts=opts)
