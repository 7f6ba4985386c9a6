"""The project's pipeline trains in the team's shared GPU image, which lives in the group's
Frankfurt registry: the pipeline is in the UAE, but its training step pulls its code from
eu-central-1 (and the job would read the patients' data with it)."""

import json

import pulumi_aws as aws
from redteam_base import opts
from redteam_sagemaker import PLACE, definition, pipeline_role, step

role = pipeline_role()
steps = definition()
step(steps, "Train")["Arguments"]["AlgorithmSpecification"]["TrainingImage"] = (
    "000000000000.dkr.ecr.eu-central-1.amazonaws.com/shared/sklearn-gpu:1.5")
aws.sagemaker.Pipeline(
    "readmission-risk-pipeline",
    pipeline_name="dubai-care-ml-prod-readmission-risk",
    pipeline_display_name="dubai-care-ml-prod-readmission-risk",
    role_arn=PLACE.role_arn,
    pipeline_definition=json.dumps(steps),
    opts=opts)
