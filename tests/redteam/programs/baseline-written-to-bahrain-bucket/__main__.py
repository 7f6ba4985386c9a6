"""Someone points the baseline step at the platform's disaster-recovery artifacts bucket in
Bahrain, "so the baseline survives a regional outage": the training data's statistics leave
the UAE."""

import json

import pulumi_aws as aws
from redteam_base import opts
from redteam_sagemaker import PLACE, definition, pipeline_role, step

role = pipeline_role()
steps = definition()
[output] = step(steps, "Baseline")["Arguments"]["ProcessingOutputConfig"]["Outputs"]
output["S3Output"]["S3Uri"] = "s3://dubai-care-ml-prod-artifacts-me-south-1/drift-monitoring/readmission-risk/baseline"
aws.sagemaker.Pipeline(
    "readmission-risk-pipeline",
    pipeline_name="dubai-care-ml-prod-readmission-risk",
    pipeline_display_name="dubai-care-ml-prod-readmission-risk",
    role_arn=PLACE.role_arn,
    pipeline_definition=json.dumps(steps),
    opts=opts)
