"""The analytics team wants the feature statistics for its dashboards, so the baseline step
writes them to its exports bucket: statistics.json describes the patients' training data and
leaves the platform's buckets."""

import json

import pulumi_aws as aws
from redteam_base import opts
from redteam_sagemaker import PLACE, definition, pipeline_role, step

role = pipeline_role()
steps = definition()
[output] = step(steps, "Baseline")["Arguments"]["ProcessingOutputConfig"]["Outputs"]
output["S3Output"]["S3Uri"] = "s3://dubai-care-analytics-exports/model-baselines/readmission-risk"
aws.sagemaker.Pipeline(
    "readmission-risk-pipeline",
    pipeline_name="dubai-care-ml-prod-readmission-risk",
    pipeline_display_name="dubai-care-ml-prod-readmission-risk",
    role_arn=PLACE.role_arn,
    pipeline_definition=json.dumps(steps),
    opts=opts)
